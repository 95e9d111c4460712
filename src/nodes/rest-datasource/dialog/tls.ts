// The TLS tab: the warning while verification is off, inline PEM fields only without a
// tls-config node, and PEM files read into the fields.
import { isChecked, showWhen, textOf } from '../../../editor/dom';
import { input } from './common';

function tlsWarning(): void {
  // A selected tls-config node replaces the inline PEM fields and can turn verification off too.
  const tlsId = textOf(input('tls'));
  const tlsNode = tlsId && tlsId !== '_ADD_' ? RED.nodes.node(tlsId) : null;
  showWhen('.rds-tls-inline', !tlsNode);
  const unverified = !isChecked(input('tlsVerify'));
  showWhen('#rds-tls-warning', unverified || !!(tlsNode && tlsNode.verifyservercert === false));
}

export function prepareTls(): void {
  $('#node-config-input-tlsVerify, #node-config-input-tls').on('change', tlsWarning);
  tlsWarning();
  $('.rds-pem-button').on('click', function (e) {
    e.preventDefault();
    $(`#rds-pem-file-${String($(this).data('target'))}`).trigger('click');
  });
  $('.rds-pem-upload').on('change', function (this: HTMLInputElement) {
    const target = input(String($(this).data('target')));
    const file = this.files && this.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => target.val(String(reader.result)).trigger('change');
    reader.readAsText(file);
    this.value = '';
  });
}
