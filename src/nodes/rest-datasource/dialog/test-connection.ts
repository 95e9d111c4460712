// Test connection: one request with the dialog's unsaved values, through the admin route. When
// the dialog points somewhere else than the deployed datasource, the route withholds the stored
// secrets (they belong to the deployed destination) and says which: the dialog names those
// fields, so "token missing" reads as what it is.
import { errorText, postJson, showResult } from '../../../editor/result';
import { textOf } from '../../../editor/dom';
import { t } from './common';
import { dialogValues } from './lists';

interface TestAnswer {
  ok?: boolean;
  message?: string;
  withheld?: string[];
  changed?: { network?: boolean; tokenUrl?: boolean; authUrl?: boolean };
}

/** A credential's field label as the dialog shows it; the secret rows as one entry. */
function fieldLabel(name: string): string {
  if (name === 'secrets') return t('test.secretRows');
  const label = $(`label[for="node-config-input-${name}"]`).first().text().trim();
  return label || name;
}

/** "Stored secrets were withheld for the new base URL: enter Token again" (or undefined). */
export function withheldNote(r: TestAnswer): string | undefined {
  if (!r.withheld?.length) return undefined;
  const where = r.changed?.network ? 'network' : r.changed?.tokenUrl ? 'tokenUrl' : 'authUrl';
  const fields = [...new Set(r.withheld.map(fieldLabel))].join(', ');
  return t(`test.withheld.${where}`, { fields });
}

export function prepareTestConnection(node: RedNode): void {
  $('#rds-test-button').on('click', (e) => {
    e.preventDefault();
    const out = $('#rds-test-result');
    showResult(out, 'pending', t('test.running'));
    const body = { ...dialogValues(node), path: textOf($('#rds-test-path')) };
    postJson<TestAnswer>(`rest-datasource/${encodeURIComponent(node.id)}/test`, body)
      .done((r) => {
        const message = (r && r.message) || t('errors.unreachable');
        const note = r && withheldNote(r);
        showResult(out, r && r.ok ? 'ok' : 'fail', note ? `${note} — ${message}` : message);
      })
      .fail((xhr) => showResult(out, 'fail', errorText(xhr, t('errors.unreachable'))));
  });
}
