import { ListRoomsCommand } from '@aws-sdk/client-ivschat';
import { h, banner, field } from '../dom';
import { makeClient, saveSession } from '../session';
import { serverFacts } from '../config';
import { go } from '../nav';

export function renderSignIn(main: HTMLElement) {
  const keyId = h('input', { type: 'text', autocomplete: 'username', required: true, spellcheck: 'false' });
  const secret = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const region = h('input', { type: 'text', spellcheck: 'false', placeholder: 'us-east-1' });
  const status = h('div', { class: 'status-slot' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  serverFacts()
    .then((f) => {
      if (!region.value) region.value = f.region;
    })
    .catch(() => {
      /* the field keeps its placeholder */
    });
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', {}, 'Parley Console'),
    h('p', { class: 'muted' }, 'Sign in with the access key of this Parley server (make run prints it).'),
    status,
    field('Access key id', 'accessKeyId', keyId),
    field('Secret access key', 'secretAccessKey', secret),
    field('Region', 'region', region, "The server's region; requests are signed for it."),
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    const session = {
      accessKeyId: keyId.value.trim(),
      secretAccessKey: secret.value,
      region: region.value.trim() || 'us-east-1',
    };
    if (!session.accessKeyId || !session.secretAccessKey) {
      status.append(banner('error', 'Enter the access key id and the secret access key.'));
      return;
    }
    submit.disabled = true;
    try {
      // A signed call proves the keys before they are kept.
      await makeClient(session).send(new ListRoomsCommand({ maxResults: 1 }));
      saveSession(session);
      go('#/rooms');
    } catch (e) {
      const err = e as Error;
      status.append(banner('error', `Sign-in failed: ${err.name}: ${err.message}`));
    } finally {
      submit.disabled = false;
    }
  });
  main.append(form);
  keyId.focus();
}
