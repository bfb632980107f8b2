import {
  CreateRoomCommand,
  DeleteRoomCommand,
  GetRoomCommand,
  ListLoggingConfigurationsCommand,
  ListRoomsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateRoomCommand,
  type LoggingConfigurationSummary,
  type RoomSummary,
} from '@aws-sdk/client-ivschat';
import { h, banner, field, formatTime } from '../dom';
import { client } from '../session';
import { errorText, fieldErrors, showFieldErrors } from '../errors';
import { go, setFlash, statusSlot } from '../nav';
import { tokenPager } from '../paging';
import { tagEditor } from './tags';

export function renderRooms(main: HTMLElement) {
  let alive = true;
  const status = statusSlot();

  const name = h('input', { type: 'search', placeholder: 'exact name', spellcheck: 'false' });
  const handler = h('input', { type: 'search', placeholder: 'arn:aws:lambda:…', spellcheck: 'false' });
  const logging = h('input', { type: 'search', placeholder: 'arn:aws:ivschat:…:logging-configuration/…', spellcheck: 'false' });
  const pageSize = h('select', {}, ...[10, 25, 50].map((n) => h('option', { value: n }, `${n} per page`)));
  const tableSlot = h('div', { class: 'table-slot' });
  const pager = tokenPager(() => load());

  async function load() {
    tableSlot.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    try {
      const out = await client().send(
        new ListRoomsCommand({
          maxResults: Number(pageSize.value),
          nextToken: pager.token(),
          name: name.value.trim() || undefined,
          messageReviewHandlerUri: handler.value.trim() || undefined,
          loggingConfigurationIdentifier: logging.value.trim() || undefined,
        }),
      );
      if (!alive) return;
      renderTable(out.rooms ?? []);
      pager.loaded(out.nextToken);
    } catch (e) {
      if (!alive) return;
      tableSlot.replaceChildren(banner('error', `Cannot list rooms: ${errorText(e)}`));
    }
  }

  function renderTable(rooms: RoomSummary[]) {
    if (rooms.length === 0) {
      const filtered = name.value || handler.value || logging.value;
      tableSlot.replaceChildren(
        h('div', { class: 'empty' },
          h('p', {}, filtered ? 'No room matches these filters.' : 'No rooms yet.'),
          h('a', { class: 'button primary', href: '#/rooms/new' }, 'Create a room')),
      );
      return;
    }
    const rows = rooms.map((r) => {
      const del = h('button', { type: 'button', class: 'danger' }, 'Delete');
      del.addEventListener('click', async () => {
        if (del.dataset.confirm !== '1') {
          del.dataset.confirm = '1';
          del.textContent = 'Confirm delete';
          return;
        }
        del.disabled = true;
        try {
          await client().send(new DeleteRoomCommand({ identifier: r.arn }));
          status.replaceChildren(banner('ok', `Room ${r.name || r.id} deleted.`));
          load();
        } catch (e) {
          status.replaceChildren(banner('error', `Cannot delete room ${r.name || r.id}: ${errorText(e)}`));
          del.disabled = false;
        }
      });
      return h('tr', { 'data-room-id': r.id, 'data-room-arn': r.arn },
        h('td', { 'data-label': 'Name' }, r.name || h('span', { class: 'muted' }, '(no name)')),
        h('td', { 'data-label': 'Id' }, h('code', {}, r.id)),
        h('td', { 'data-label': 'Review handler' }, r.messageReviewHandler?.uri ? `${r.messageReviewHandler.uri} (${r.messageReviewHandler.fallbackResult})` : '—'),
        h('td', { 'data-label': 'Logging' }, String(r.loggingConfigurationIdentifiers?.length ?? 0)),
        h('td', { 'data-label': 'Updated' }, formatTime(r.updateTime)),
        h('td', { class: 'actions' },
          h('a', { class: 'button', href: `#/live/${encodeURIComponent(r.arn!)}` }, 'Live'),
          h('a', { class: 'button', href: `#/rooms/${encodeURIComponent(r.arn!)}` }, 'Edit'),
          del),
      );
    });
    tableSlot.replaceChildren(
      h('div', { class: 'table-wrap' },
        h('table', {},
          h('thead', {}, h('tr', {}, ...['Name', 'Id', 'Review handler', 'Logging', 'Updated', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, rows))),
    );
  }

  const filters = h('form', { class: 'filters', novalidate: true },
    field('Name', 'name', name),
    field('Review handler URI', 'messageReviewHandlerUri', handler),
    field('Logging configuration', 'loggingConfigurationIdentifier', logging),
    field('Page size', 'maxResults', pageSize),
    h('button', { type: 'submit' }, 'Apply filters'));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    pager.reset();
    load();
  });

  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Rooms'), h('a', { class: 'button primary', href: '#/rooms/new' }, 'Create room')),
    status,
    filters,
    tableSlot,
    pager.el,
  );
  load();
  return () => { alive = false; };
}

export function renderRoomForm(main: HTMLElement, id: string | null) {
  let alive = true;
  const status = h('div', { class: 'status-slot' });
  const name = h('input', { type: 'text', spellcheck: 'false', maxlength: '200' });
  const rate = h('input', { type: 'number', inputmode: 'numeric', value: '10' });
  const length = h('input', { type: 'number', inputmode: 'numeric', value: '500' });
  const uri = h('input', { type: 'text', spellcheck: 'false', placeholder: 'arn:aws:lambda:us-east-1:123456789012:function:review' });
  const fallback = h('select', {}, h('option', { value: 'ALLOW' }, 'ALLOW'), h('option', { value: 'DENY' }, 'DENY'));
  const loggingBox = h('div', { class: 'checks', role: 'group', 'aria-label': 'Logging configurations' }, h('span', { class: 'muted' }, 'Loading…'));
  const tags = tagEditor();
  let originalTags: Record<string, string> = {};
  let arn = '';
  const submit = h('button', { type: 'submit', class: 'primary' }, id ? 'Save room' : 'Create room');

  const form = h('form', { class: 'card form', novalidate: true },
    field('Name', 'name', name, 'Letters, digits, - and _; up to 128 characters. Optional.'),
    h('div', { class: 'row' },
      field('Maximum message rate per second', 'maximumMessageRatePerSecond', rate, '1 – 100'),
      field('Maximum message length', 'maximumMessageLength', length, '1 – 500 characters')),
    h('fieldset', {}, h('legend', {}, 'Message review handler'),
      h('div', { class: 'row' },
        field('Lambda function ARN', 'messageReviewHandler.uri', uri, 'Empty: no review handler.'),
        field('Fallback result', 'messageReviewHandler.fallbackResult', fallback))),
    h('fieldset', {}, h('legend', {}, 'Logging configurations'),
      h('div', { class: 'field', 'data-field': 'loggingConfigurationIdentifiers' }, loggingBox, h('p', { class: 'field-error' }))),
    h('fieldset', {}, h('legend', {}, 'Tags'), h('div', { class: 'field', 'data-field': 'tags' }, tags.element, h('p', { class: 'field-error' }))),
    h('div', { class: 'form-actions' }, submit, h('a', { class: 'button', href: '#/rooms' }, 'Cancel')));

  async function loadLoggingChoices(selected: string[]) {
    const all: LoggingConfigurationSummary[] = [];
    let nextToken: string | undefined;
    do {
      const out = await client().send(new ListLoggingConfigurationsCommand({ maxResults: 50, nextToken }));
      all.push(...(out.loggingConfigurations ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    if (!alive) return;
    loggingBox.replaceChildren();
    if (all.length === 0) loggingBox.append(h('span', { class: 'muted' }, 'None exist yet. '), h('a', { href: '#/logging/new' }, 'Create one'));
    for (const lc of all) {
      const checked = selected.includes(lc.arn!) || selected.includes(lc.id!);
      loggingBox.append(h('label', { class: 'check' },
        h('input', { type: 'checkbox', value: lc.arn, checked }), ` ${lc.name || lc.id} `, h('small', { class: 'muted' }, destinationLabel(lc))));
    }
  }

  async function load() {
    try {
      let selected: string[] = [];
      if (id) {
        const room = await client().send(new GetRoomCommand({ identifier: id }));
        if (!alive) return;
        arn = room.arn!;
        name.value = room.name ?? '';
        rate.value = String(room.maximumMessageRatePerSecond ?? 10);
        length.value = String(room.maximumMessageLength ?? 500);
        uri.value = room.messageReviewHandler?.uri ?? '';
        fallback.value = room.messageReviewHandler?.fallbackResult ?? 'ALLOW';
        selected = room.loggingConfigurationIdentifiers ?? [];
        originalTags = room.tags ?? (await client().send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {};
        tags.set(originalTags);
      }
      await loadLoggingChoices(selected);
    } catch (e) {
      if (alive) status.replaceChildren(banner('error', errorText(e)));
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    showFieldErrors(form, []);
    const num = (el: HTMLInputElement) => (el.value.trim() === '' ? undefined : Number(el.value));
    const loggingConfigurationIdentifiers = [...loggingBox.querySelectorAll<HTMLInputElement>('input:checked')].map((c) => c.value);
    const common = {
      name: name.value,
      maximumMessageRatePerSecond: num(rate),
      maximumMessageLength: num(length),
      messageReviewHandler: { uri: uri.value.trim(), fallbackResult: fallback.value as 'ALLOW' | 'DENY' },
      loggingConfigurationIdentifiers,
    };
    submit.disabled = true;
    try {
      if (!id) {
        const tagMap = tags.get();
        const out = await client().send(new CreateRoomCommand({ ...common, tags: Object.keys(tagMap).length ? tagMap : undefined }));
        setFlash('ok', `Room ${out.name || out.id} created (${out.id}).`);
      } else {
        await client().send(new UpdateRoomCommand({ identifier: id, ...common }));
        const now = tags.get();
        const removed = Object.keys(originalTags).filter((k) => !(k in now));
        if (removed.length) await client().send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed }));
        const changed = Object.fromEntries(Object.entries(now).filter(([k, v]) => originalTags[k] !== v));
        if (Object.keys(changed).length) await client().send(new TagResourceCommand({ resourceArn: arn, tags: changed }));
        setFlash('ok', `Room ${common.name || id} saved.`);
      }
      go('#/rooms');
    } catch (e) {
      if (!alive) return;
      const unplaced = showFieldErrors(form, fieldErrors(e));
      status.replaceChildren(banner('error', unplaced.length || !fieldErrors(e).length ? errorText(e) : 'Please correct the fields marked below.'));
      form.querySelector<HTMLElement>('.invalid input, .invalid select')?.focus();
    } finally {
      submit.disabled = false;
    }
  });

  main.append(
    h('div', { class: 'page-head' }, h('h1', {}, id ? 'Edit room' : 'Create room')),
    id ? h('p', { class: 'muted' }, h('code', {}, id)) : '',
    status,
    form,
  );
  load();
  name.focus();
  return () => { alive = false; };
}

export function destinationLabel(lc: LoggingConfigurationSummary): string {
  const d = lc.destinationConfiguration;
  if (d?.s3) return `S3 bucket ${d.s3.bucketName}`;
  if (d?.cloudWatchLogs) return `CloudWatch Logs ${d.cloudWatchLogs.logGroupName}`;
  if (d?.firehose) return `Firehose ${d.firehose.deliveryStreamName}`;
  return '';
}
