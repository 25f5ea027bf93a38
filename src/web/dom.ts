/** A few lines of DOM building, so views read as the markup they make. */

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | undefined>;

/** `el("button", { class: "primary", type: "submit" }, "Save")`; `false`/`undefined` attributes are left out. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter((child): child is Node | string => Boolean(child)));
  return element;
}

/** The form's fields by name, as strings. */
export function fields(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of new FormData(form)) values[name] = String(value);
  return values;
}

/** Runs `action` on submit, with the submit button disabled meanwhile and any failure shown in `errorBox`. */
export function onSubmit(
  form: HTMLFormElement,
  errorBox: HTMLElement,
  action: (values: Record<string, string>) => Promise<void>,
  describe: (error: unknown) => string,
): void {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
    if (button) button.disabled = true;
    errorBox.textContent = "";
    try {
      await action(fields(form));
    } catch (error) {
      errorBox.textContent = describe(error);
    } finally {
      if (button) button.disabled = false;
    }
  });
}
