import type { GameInfo } from "../../protocol/index.ts";
import type { GameRenderer } from "../../game-rooms/games/renderer.ts";

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
}

/** The fixed values a schema allows (a union of literals), if it is one. */
function choices(schema: JsonSchema): unknown[] | undefined {
  if (schema.enum) return schema.enum;
  if ("const" in schema) return [schema.const];
  const options = schema.anyOf ?? schema.oneOf;
  if (options?.every((o) => "const" in o)) return options.map((o) => o.const);
  return undefined;
}

/** Every leaf of a view as `path: value`, in order (what a table of the state shows). */
function leaves(value: unknown, path = ""): [string, string][] {
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, inner]) => leaves(inner, path ? `${path}.${key}` : key));
  return [[path || "state", JSON.stringify(value)]];
}

/** One form field per property of the input's schema; `read` gives the input the form holds. */
function inputForm(schema: JsonSchema, onSubmit: (input: Record<string, unknown>) => void): HTMLFormElement {
  const form = Object.assign(document.createElement("form"), { className: "row generic-input" });
  const readers: [string, () => unknown][] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const label = Object.assign(document.createElement("label"), { textContent: `${name} ` });
    const allowed = choices(field);
    if (allowed) {
      const select = document.createElement("select");
      select.name = name;
      select.append(...allowed.map((v) => Object.assign(document.createElement("option"), { value: JSON.stringify(v), textContent: String(v) })));
      readers.push([name, () => JSON.parse(select.value) as unknown]);
      label.append(select);
    } else if (field.type === "boolean") {
      const box = Object.assign(document.createElement("input"), { type: "checkbox", name });
      readers.push([name, () => box.checked]);
      label.append(box);
    } else {
      const numeric = field.type === "number" || field.type === "integer";
      const input = Object.assign(document.createElement("input"), { type: numeric ? "number" : "text", name, size: 6 });
      if (field.minimum !== undefined) input.min = String(field.minimum);
      if (field.maximum !== undefined) input.max = String(field.maximum);
      readers.push([name, () => (numeric ? Number(input.value) : input.value)]);
      label.append(input);
    }
    form.append(label);
  }
  form.append(Object.assign(document.createElement("button"), { textContent: "Send" }));
  form.onsubmit = (event) => {
    event.preventDefault();
    onSubmit(Object.fromEntries(readers.map(([name, read]) => [name, read()])));
  };
  return form;
}

/**
 * The view of a game that brings no renderer: its state as a table of fields, and its input as a
 * form built from the input schema `GET /v1/games` describes. Plain, but every game is playable.
 */
export function genericRenderer(info: GameInfo): GameRenderer<Record<string, unknown>, unknown> {
  return {
    help: `${info.name} has no renderer of its own: its state is shown as a table, and the form sends an input.`,
    mount(root, context) {
      const table = Object.assign(document.createElement("table"), { className: "generic-state" });
      const form = inputForm((info.input ?? {}) as JsonSchema, (input) => context.send(input));
      form.hidden = context.seat === undefined;
      root.append(table, form);
      return {
        draw(view) {
          table.replaceChildren(
            ...leaves(view).map(([path, value]) => {
              const row = document.createElement("tr");
              row.append(
                Object.assign(document.createElement("td"), { textContent: path }),
                Object.assign(document.createElement("td"), { textContent: value }),
              );
              return row;
            }),
          );
        },
        destroy() {
          table.remove();
          form.remove();
        },
      };
    },
  };
}
