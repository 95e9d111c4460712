// The outcome line of an action in a dialog (Test connection, Authorize): a green check, a red
// cross or a spinner and a text, brought into view.

export type ResultState = 'ok' | 'fail' | 'pending';

const ICONS: Record<ResultState, string> = { ok: 'fa-check', fail: 'fa-times', pending: 'fa-spinner fa-spin' };

/** Show an outcome in `el` (a role="status" element) and scroll it into view. */
export function showResult(el: JQuery, state: ResultState, text: string): void {
  el.removeClass('rds-ok rds-fail')
    .addClass(state === 'pending' ? '' : `rds-${state}`)
    .empty()
    .append($('<i/>', { class: `fa ${ICONS[state]}` }))
    .append($('<span/>').text(` ${text}`));
  const node = el[0];
  if (node && typeof node.scrollIntoView === 'function') node.scrollIntoView({ block: 'nearest' });
}

/** What an admin route's failure says: its JSON message, else the HTTP status, else `unreachable`. */
export function errorText(xhr: JQuery.jqXHR, unreachable: string): string {
  const body = xhr.responseJSON as { message?: string; error?: string } | undefined;
  if (body && (body.message || body.error)) return String(body.message || body.error);
  return xhr.status ? `HTTP ${xhr.status}${xhr.statusText ? ` ${xhr.statusText}` : ''}` : unreachable;
}

/** POST the dialog's values to an admin route of the editor (relative to the editor's URL). */
export function postJson<T>(url: string, body: unknown): JQuery.jqXHR<T> {
  return $.ajax({ url, method: 'POST', contentType: 'application/json', data: JSON.stringify(body) });
}
