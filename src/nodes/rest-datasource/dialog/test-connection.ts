// Test connection: one request with the dialog's unsaved values, through the admin route.
import { errorText, postJson, showResult } from '../../../editor/result';
import { textOf } from '../../../editor/dom';
import { t } from './common';
import { dialogValues } from './lists';

export function prepareTestConnection(node: RedNode): void {
  $('#rds-test-button').on('click', (e) => {
    e.preventDefault();
    const out = $('#rds-test-result');
    showResult(out, 'pending', t('test.running'));
    const body = { ...dialogValues(node), path: textOf($('#rds-test-path')) };
    postJson<{ ok?: boolean; message?: string }>(`rest-datasource/${encodeURIComponent(node.id)}/test`, body)
      .done((r) => showResult(out, r && r.ok ? 'ok' : 'fail', (r && r.message) || t('errors.unreachable')))
      .fail((xhr) => showResult(out, 'fail', errorText(xhr, t('errors.unreachable'))));
  });
}
