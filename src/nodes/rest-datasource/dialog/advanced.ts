// The Advanced tab: fields that only matter while another is on stay hidden (maximum redirects,
// retry delay, the signing fields), and the response size limit is edited in MB while the
// setting keeps bytes.
import { isChecked, showWhen, textOf } from '../../../editor/dom';
import { input, t } from './common';

const MB = 1024 * 1024;

/** Bytes as the MB the dialog shows: '' stays '' (the default), at most three decimals. */
export function bytesToMb(bytes: string): string {
  if (!/^\d+$/.test(bytes.trim())) return bytes;
  return String(Math.round((Number(bytes) / MB) * 1000) / 1000);
}

/** MB as typed to the stored bytes; text that is no number is passed on for the validator to reject. */
export function mbToBytes(mb: string): string {
  const text = mb.trim().replace(',', '.');
  return /^\d+(\.\d+)?$/.test(text) ? String(Math.round(Number(text) * MB)) : text;
}

function showDependentFields(): void {
  showWhen('.rds-redirect-fields', isChecked(input('followRedirects')));
  showWhen('.rds-retry-fields', Number(textOf(input('retries'))) > 0);
  showWhen('.rds-signature-fields', isChecked(input('signatureEnabled')));
  showWhen('.rds-cache-fields', textOf(input('cache')) === 'http');
}

/** A byte setting (`maxResponseBytes`, `cacheMaxBytes`) edited in MB in the field `mbId`. */
function prepareSizeLimit(setting: string, mbId: string, label: string): void {
  const bytes = input(setting);
  const mb = $(`#${mbId}`);
  mb.val(bytesToMb(textOf(bytes)));
  mb.on('change keyup', () => {
    // Node-RED validates the bound (hidden) field on change; show its verdict on the visible one.
    bytes.val(mbToBytes(textOf(mb))).trigger('change');
    const invalid = bytes.hasClass('input-error');
    mb.toggleClass('input-error', invalid);
    mb.attr('title', invalid ? t('errors.mb', { field: t(label) }) : '');
  });
}

export function prepareAdvanced(): void {
  $('#node-config-input-followRedirects, #node-config-input-signatureEnabled').on('change', showDependentFields);
  input('retries').on('change keyup', showDependentFields);
  input('cache').on('change', showDependentFields);
  // The signing key is required only while signing is on.
  input('signatureEnabled').on('change', () => input('signatureKey').trigger('change'));
  showDependentFields();
  prepareSizeLimit('maxResponseBytes', 'rds-maxResponseMb', 'label.maxResponseBytes');
  prepareSizeLimit('cacheMaxBytes', 'rds-cacheMaxMb', 'label.cacheMaxBytes');
}
