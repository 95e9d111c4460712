// The importers' explanations in the dialog's language: each comes with a code, its
// placeholder values and the English text; the catalog's `<group>.notice.<code>` is shown when
// there is one, else the English text.
import type { Translate } from './i18n';

export interface Notice {
  code: string;
  vars?: Record<string, string>;
  text: string;
}

export function noticeText(t: Translate, group: string, n: Notice): string {
  const key = `${group}.notice.${n.code}`;
  const translated = t(key, n.vars);
  if (!translated || translated.endsWith(key)) return n.text;
  // i18next escapes placeholder values for HTML; the dialog shows this as text, so decode them.
  return String($('<textarea/>').html(translated).val());
}
