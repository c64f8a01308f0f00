import type { JsonValue } from '../../domain/json-value.ts';
import { h, uniqueId } from './dom.ts';
import { fieldValue, type FieldSpec } from './schema-fields.ts';

type Control = { field: FieldSpec; input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement; row: HTMLElement; reset: () => void };

/** The controls generated from a model's schema fields; reads and writes request parameters. */
export class ParameterForm {
  readonly element: HTMLElement;
  private controls: Control[] = [];

  constructor(private readonly onChange: () => void) {
    this.element = h('div', { class: 'parameters' });
  }

  /** Rebuilds the controls, keeping values of fields the new model shares with the old one. */
  setFields(fields: FieldSpec[]): void {
    const previous = this.values();
    this.controls = fields.map((field) => this.createControl(field));
    this.element.replaceChildren(...this.controls.map((control) => control.row));
    this.setValues(previous, { keepOthers: false });
  }

  /** Only the values that differ from the server's defaults. */
  values(): Record<string, JsonValue> {
    const values: Record<string, JsonValue> = {};
    for (const { field, input } of this.controls) {
      const raw = input instanceof HTMLInputElement && input.type === 'checkbox' ? input.checked : input.value;
      const value = fieldValue(field, raw);
      if (value !== undefined) values[field.name] = value;
    }
    return values;
  }

  /** Loads parameters (from history); fields not mentioned go back to their defaults unless `keepOthers`. */
  setValues(values: Record<string, JsonValue | undefined>, options: { keepOthers: boolean } = { keepOthers: false }): void {
    for (const control of this.controls) {
      const value = values[control.field.name];
      if (value === undefined || value === null) {
        if (!options.keepOthers) control.reset();
        continue;
      }
      const { input } = control;
      if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === true;
      else if (input instanceof HTMLSelectElement) {
        const match = Array.from(input.options).find((option) => option.value.toLowerCase() === String(value).toLowerCase());
        if (match) input.value = match.value;
      } else input.value = String(value);
      input.dispatchEvent(new Event('input'));
    }
    this.onChange();
  }

  /** Marks the field a server error names; returns whether one was found. */
  showError(field: string | undefined, message: string): boolean {
    let found = false;
    for (const control of this.controls) {
      const matches = field !== undefined && (field === control.field.name || field.startsWith(`${control.field.name}.`));
      control.row.classList.toggle('invalid', matches);
      control.input.toggleAttribute('aria-invalid', matches);
      const note = control.row.querySelector('.field-error');
      if (note) note.textContent = matches ? message : '';
      if (matches && !found) {
        control.input.focus();
        found = true;
      }
    }
    return found;
  }

  private createControl(field: FieldSpec): Control {
    const id = uniqueId(`field-${field.name}`);
    const helpId = `${id}-help`;
    const errorId = `${id}-error`;
    const describedBy = [field.description ? helpId : '', errorId].filter(Boolean).join(' ');
    const changed = () => this.onChange();
    let input: Control['input'];
    let reset: () => void;
    let output: HTMLElement | undefined;
    const defaultText = field.defaultValue === undefined ? '' : String(field.defaultValue);
    switch (field.kind) {
      case 'select': {
        const emptyLabel = field.defaultValue === undefined ? 'server default' : undefined;
        const select = h(
          'select',
          { id, name: field.name, 'aria-describedby': describedBy, onChange: changed },
          emptyLabel && !field.required ? h('option', { value: '' }, `— ${emptyLabel} —`) : null,
          field.options.map((option) => h('option', { value: option }, option === defaultText ? `${option} (default)` : option)),
        );
        reset = () => {
          select.value = defaultText;
          if (select.selectedIndex < 0) select.selectedIndex = 0;
        };
        input = select;
        break;
      }
      case 'integer':
      case 'number': {
        const slider = field.control === 'slider';
        const number = h('input', {
          id,
          name: field.name,
          type: slider ? 'range' : 'number',
          min: field.minimum,
          max: field.maximum,
          step: field.kind === 'integer' ? 1 : 'any',
          placeholder: slider ? undefined : defaultText || 'server default',
          'aria-describedby': describedBy,
          onInput: () => {
            if (output) output.textContent = number.value;
            changed();
          },
        });
        if (slider) output = h('output', { for: id, class: 'slider-value' });
        reset = () => {
          number.value = defaultText || (slider ? String(field.minimum ?? 0) : '');
          if (output) output.textContent = number.value;
        };
        input = number;
        break;
      }
      case 'boolean': {
        const checkbox = h('input', { id, name: field.name, type: 'checkbox', 'aria-describedby': describedBy, onChange: changed });
        reset = () => (checkbox.checked = field.defaultValue === true);
        input = checkbox;
        break;
      }
      case 'text': {
        const attributes = { id, name: field.name, maxlength: field.maxLength, placeholder: defaultText || undefined, 'aria-describedby': describedBy, onInput: changed };
        const text = field.multiline ? h('textarea', { ...attributes, rows: 3 }) : h('input', { ...attributes, type: 'text' });
        reset = () => (text.value = '');
        input = text;
        break;
      }
    }
    const row = h(
      'div',
      { class: `field field-${field.kind}` },
      h('label', { for: id }, field.label, field.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
      output ? h('div', { class: 'slider-row' }, input, output) : input,
      field.description ? h('p', { class: 'help', id: helpId }, field.description) : null,
      h('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' }),
    );
    reset();
    return { field, input, row, reset };
  }
}
