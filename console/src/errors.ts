// The API's errors, as the SDK raises them, shown to the operator.
export interface FieldError {
  name: string;
  message: string;
}

export function errorText(e: unknown): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = err?.name && err.name !== 'Error' ? `${err.name}: ` : '';
  // The keys of this tab no longer match the server's (e.g. a new data directory).
  const hint = err?.$metadata?.httpStatusCode === 403 ? ' Sign out and sign in again with this server\'s key.' : '';
  return `${name}${err?.message ?? String(e)}${hint}`;
}

export function fieldErrors(e: unknown): FieldError[] {
  const list = (e as { fieldList?: FieldError[] })?.fieldList;
  return Array.isArray(list) ? list : [];
}

// Puts each of the API's field messages under the input it names (data-field="name"; a nested
// name such as messageReviewHandler.uri also matches its own input). Returns the messages that
// found no field.
export function showFieldErrors(form: HTMLElement, errors: FieldError[]): FieldError[] {
  for (const el of form.querySelectorAll<HTMLElement>('.field')) {
    el.classList.remove('invalid');
    const p = el.querySelector('.field-error');
    if (p) p.textContent = '';
  }
  const unplaced: FieldError[] = [];
  for (const fe of errors) {
    const fields = [...form.querySelectorAll<HTMLElement>('.field')];
    const target =
      fields.find((f) => f.dataset.field === fe.name) ??
      fields.find((f) => fe.name.startsWith(`${f.dataset.field}.`) || fe.name.startsWith(`${f.dataset.field}[`)) ??
      fields.find((f) => f.dataset.field && f.dataset.field.startsWith(`${fe.name}.`));
    if (!target) {
      unplaced.push(fe);
      continue;
    }
    target.classList.add('invalid');
    const p = target.querySelector('.field-error');
    if (p) p.textContent = p.textContent ? `${p.textContent}; ${fe.message}` : fe.message;
    target.querySelector('input,select,textarea')?.setAttribute('aria-invalid', 'true');
  }
  return unplaced;
}
