import {
  CreateLoggingConfigurationCommand,
  DeleteLoggingConfigurationCommand,
  GetLoggingConfigurationCommand,
  ListLoggingConfigurationsCommand,
  UpdateLoggingConfigurationCommand,
  type DestinationConfiguration,
  type LoggingConfigurationSummary,
} from '@aws-sdk/client-ivschat';
import { h, banner, field, formatTime } from '../dom';
import { client } from '../session';
import { errorText, fieldErrors, showFieldErrors } from '../errors';
import { go, setFlash, statusSlot } from '../nav';
import { tokenPager } from '../paging';
import { destinationLabel } from './rooms';
import { tagEditor } from './tags';

export function renderLoggingConfigurations(main: HTMLElement) {
  let alive = true;
  const status = statusSlot();
  const tableSlot = h('div', { class: 'table-slot' }, h('p', { class: 'muted' }, 'Loading…'));
  const pager = tokenPager(() => load());

  async function load() {
    try {
      const out = await client().send(new ListLoggingConfigurationsCommand({ maxResults: 25, nextToken: pager.token() }));
      if (!alive) return;
      renderTable(out.loggingConfigurations ?? []);
      pager.loaded(out.nextToken);
    } catch (e) {
      if (alive) tableSlot.replaceChildren(banner('error', `Cannot list logging configurations: ${errorText(e)}`));
    }
  }

  function renderTable(list: LoggingConfigurationSummary[]) {
    if (list.length === 0) {
      tableSlot.replaceChildren(h('div', { class: 'empty' },
        h('p', {}, 'No logging configurations yet. A room with one writes its messages and events to S3, CloudWatch Logs or Firehose (files under the server\'s chat-log directory).'),
        h('a', { class: 'button primary', href: '#/logging/new' }, 'Create a logging configuration')));
      return;
    }
    const rows = list.map((lc) => {
      const del = h('button', { type: 'button', class: 'danger' }, 'Delete');
      del.addEventListener('click', async () => {
        if (del.dataset.confirm !== '1') {
          del.dataset.confirm = '1';
          del.textContent = 'Confirm delete';
          return;
        }
        del.disabled = true;
        try {
          await client().send(new DeleteLoggingConfigurationCommand({ identifier: lc.arn }));
          status.replaceChildren(banner('ok', `Logging configuration ${lc.name || lc.id} deleted.`));
          load();
        } catch (e) {
          const conflict = (e as { name?: string }).name === 'ConflictException';
          status.replaceChildren(banner('error', conflict
            ? `Cannot delete ${lc.name || lc.id}: it is still used by a room (ConflictException: ${(e as Error).message}). Remove it from those rooms first.`
            : `Cannot delete ${lc.name || lc.id}: ${errorText(e)}`));
          del.disabled = false;
          del.dataset.confirm = '';
          del.textContent = 'Delete';
        }
      });
      return h('tr', { 'data-logging-id': lc.id, 'data-logging-arn': lc.arn },
        h('td', { 'data-label': 'Name' }, lc.name || h('span', { class: 'muted' }, '(no name)')),
        h('td', { 'data-label': 'Id' }, h('code', {}, lc.id)),
        h('td', { 'data-label': 'Destination' }, destinationLabel(lc)),
        h('td', { 'data-label': 'State' }, lc.state ?? ''),
        h('td', { 'data-label': 'Updated' }, formatTime(lc.updateTime)),
        h('td', { class: 'actions' }, h('a', { class: 'button', href: `#/logging/${encodeURIComponent(lc.arn!)}` }, 'Edit'), del));
    });
    tableSlot.replaceChildren(h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ...['Name', 'Id', 'Destination', 'State', 'Updated', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows))));
  }

  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Logging configurations'), h('a', { class: 'button primary', href: '#/logging/new' }, 'Create logging configuration')),
    status, tableSlot, pager.el);
  load();
  return () => { alive = false; };
}

const kinds = {
  s3: { label: 'Amazon S3 bucket', field: 'bucketName', hint: 'bucket name' },
  cloudWatchLogs: { label: 'CloudWatch Logs log group', field: 'logGroupName', hint: 'log group name' },
  firehose: { label: 'Kinesis Data Firehose stream', field: 'deliveryStreamName', hint: 'delivery stream name' },
} as const;
type Kind = keyof typeof kinds;

export function renderLoggingForm(main: HTMLElement, id: string | null) {
  let alive = true;
  const status = h('div', { class: 'status-slot' });
  const name = h('input', { type: 'text', spellcheck: 'false' });
  const kind = h('select', {}, ...Object.entries(kinds).map(([k, v]) => h('option', { value: k }, v.label)));
  const target = h('input', { type: 'text', spellcheck: 'false' });
  const targetField = field('Bucket name', 'destinationConfiguration.s3.bucketName', target);
  const tags = tagEditor();
  const submit = h('button', { type: 'submit', class: 'primary' }, id ? 'Save' : 'Create');
  const syncKind = () => {
    const k = kinds[kind.value as Kind];
    targetField.dataset.field = `destinationConfiguration.${kind.value}.${k.field}`;
    targetField.querySelector('label')!.textContent = k.hint[0].toUpperCase() + k.hint.slice(1);
  };
  kind.addEventListener('change', syncKind);
  syncKind();

  const form = h('form', { class: 'card form', novalidate: true },
    field('Name', 'name', name, 'Optional.'),
    field('Destination', 'destinationConfiguration', kind),
    targetField,
    id ? null : h('fieldset', {}, h('legend', {}, 'Tags'), h('div', { class: 'field', 'data-field': 'tags' }, tags.element, h('p', { class: 'field-error' }))),
    h('div', { class: 'form-actions' }, submit, h('a', { class: 'button', href: '#/logging' }, 'Cancel')));

  if (id) {
    client().send(new GetLoggingConfigurationCommand({ identifier: id })).then((lc) => {
      if (!alive) return;
      name.value = lc.name ?? '';
      const d = lc.destinationConfiguration;
      if (d?.s3) { kind.value = 's3'; target.value = d.s3.bucketName ?? ''; }
      else if (d?.cloudWatchLogs) { kind.value = 'cloudWatchLogs'; target.value = d.cloudWatchLogs.logGroupName ?? ''; }
      else if (d?.firehose) { kind.value = 'firehose'; target.value = d.firehose.deliveryStreamName ?? ''; }
      syncKind();
    }, (e) => alive && status.replaceChildren(banner('error', errorText(e))));
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    showFieldErrors(form, []);
    const v = target.value.trim();
    const dest: DestinationConfiguration =
      kind.value === 's3' ? { s3: { bucketName: v } }
      : kind.value === 'cloudWatchLogs' ? { cloudWatchLogs: { logGroupName: v } }
      : { firehose: { deliveryStreamName: v } };
    submit.disabled = true;
    try {
      if (id) {
        await client().send(new UpdateLoggingConfigurationCommand({ identifier: id, name: name.value, destinationConfiguration: dest }));
        setFlash('ok', `Logging configuration ${name.value || id} saved.`);
      } else {
        const t = tags.get();
        const out = await client().send(new CreateLoggingConfigurationCommand({ name: name.value || undefined, destinationConfiguration: dest, tags: Object.keys(t).length ? t : undefined }));
        setFlash('ok', `Logging configuration ${out.name || out.id} created.`);
      }
      go('#/logging');
    } catch (e) {
      if (!alive) return;
      const unplaced = showFieldErrors(form, fieldErrors(e));
      status.replaceChildren(banner('error', unplaced.length || !fieldErrors(e).length ? errorText(e) : 'Please correct the fields marked below.'));
    } finally {
      submit.disabled = false;
    }
  });

  main.append(h('div', { class: 'page-head' }, h('h1', {}, id ? 'Edit logging configuration' : 'Create logging configuration')), status, form);
  name.focus();
  return () => { alive = false; };
}
