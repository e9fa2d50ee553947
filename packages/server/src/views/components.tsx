/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * What the console's pages share: tables, facts, chips, times, and forms (the
 * filters above a list, post forms with the session's CSRF token, choices,
 * paging). Every string they are given is shown as escaped, bounded text
 * (html.ts `show`); tenant values are clipped by the pages (clip.tsx).
 */
import type { TenantRecord } from "@mde-partner/sync";
import type { Child } from "hono/jsx";
import type { Session } from "../sessions.js";
import { clip } from "./clip.js";
import { qs, when } from "./format.js";
import { show, text } from "./html.js";

type Attributes = Readonly<Record<string, string | number | undefined>>;

/** Attribute values as escaped, bounded text, in the order given. */
const attributes = (attrs: Attributes | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(attrs ?? {}).map(([k, v]) => [k, typeof v === "string" ? text(v) : v]));

/** One column of a {@link Table}. */
export interface Column<T> {
  readonly head: string;
  /** A number column (right-aligned). */
  readonly num?: boolean;
  /** Attributes of the row's cell (`data-field`, `title`). */
  readonly attrs?: (row: T) => Attributes;
  readonly cell: (row: T) => Child;
}

/**
 * A data table in its scrolling wrapper; `empty` instead when there are no rows (when given).
 *
 * @example
 * <Table id="users" rows={users} columns={[{ head: "Name", cell: (u) => u.name }]} />
 */
export function Table<T>(props: {
  id?: string | undefined;
  caption?: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  /** Attributes of each row (`data-alert`, `data-state`). */
  row?: (row: T) => Attributes;
  empty?: Child;
}) {
  const { columns, rows, row } = props;
  if (!rows.length && props.empty !== undefined) return <>{props.empty}</>;
  return (
    <div class="table-wrap">
      <table id={props.id}>
        {props.caption ? <caption class="muted">{props.caption}</caption> : ""}
        <thead>
          <tr>
            {columns.map((c) => <th scope="col" class={c.num ? "num" : undefined}>{show(c.head)}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr {...attributes(row?.(r))}>
              {columns.map((c) => <td class={c.num ? "num" : undefined} {...attributes(c.attrs?.(r))}>{show(c.cell(r))}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One term and its value in a `<dl class="facts">`; the value's element takes `id` and `data-*`. */
export function Fact({ label, children, ...dd }: { label: string; children?: Child; id?: string; [data: `data-${string}`]: string | undefined }) {
  return (
    <>
      <dt>{label}</dt>
      <dd {...attributes(dd)}>{show(children)}</dd>
    </>
  );
}

/** A small label (`chip state-verified`, `chip sev-High`); `kind` is the modifier class. */
export function Chip({ kind, children, ...attrs }: { kind: string; children?: Child; [data: `data-${string}`]: string | undefined }) {
  return (
    <span class={text(`chip ${kind}`)} {...attributes(attrs)}>
      {show(children)}
    </span>
  );
}

/** An alert severity (PascalCase, as MDE names them) as a chip. */
export const SeverityChip = ({ severity }: { severity: string | null }) => (
  <Chip kind={`sev-${clip(severity ?? "UnSpecified", 40)}`}>{clip(severity, 40) ?? "—"}</Chip>
);

/** A `<time>` element with the exact value as its datetime; an em dash when absent. */
export const Time = ({ iso }: { iso: string | null | undefined }) =>
  iso ? <time datetime={text(clip(iso, 40))}>{text(when(iso))}</time> : "—";

/** The hidden CSRF field of a form of this session. */
export const Csrf = ({ session }: { session: Session | undefined }) =>
  session ? <input type="hidden" name="_csrf" value={text(session.csrfToken)} /> : "";

/** A post form with the session's CSRF token first. */
export function PostForm(props: {
  action: string;
  session: Session;
  class?: string;
  id?: string;
  children?: Child;
  [data: `data-${string}`]: string | undefined;
}) {
  const { action, session, children, class: cls, id, ...data } = props;
  return (
    <form class={cls} method="post" action={text(action)} id={id} {...attributes(data)}>
      <Csrf session={session} />
      {children}
    </form>
  );
}

/** The filters above a list: a search form that reads back as the page's query, Apply and Reset. */
export function FilterForm({ action, label, applyId, children }: { action: string; label: string; applyId?: string; children?: Child }) {
  return (
    <form class="filters" method="get" action={action} role="search" aria-label={label}>
      {children}
      <button type="submit" id={applyId}>Apply</button> <a href={action}>Reset</a>
    </form>
  );
}

/** `<option>`s with the chosen ones selected. */
export function Options(props: { values: readonly string[]; selected: readonly string[] | string | undefined; labels?: (v: string) => string }) {
  const { values, selected, labels } = props;
  const chosen = new Set(typeof selected === "string" ? [selected] : (selected ?? []));
  return <>{values.map((v) => <option value={text(v)} selected={chosen.has(v)}>{text(labels ? labels(v) : v)}</option>)}</>;
}

/** Inline checkboxes or radio buttons, one per value. */
export function Choices(props: {
  type?: "checkbox" | "radio";
  name: string;
  values: readonly string[];
  checked: (value: string, index: number) => boolean;
  labels?: (v: string) => string;
}) {
  const { type = "checkbox", name, values, checked, labels } = props;
  return (
    <>
      {values.map((v, i) => (
        <label class="inline">
          <input type={type} name={name} value={text(v)} checked={checked(v, i)} /> {text(labels ? labels(v) : v)}
        </label>
      ))}
    </>
  );
}

/** A filter's checkboxes under a legend, the chosen values checked. */
export function CheckboxSet(props: { legend: string; name: string; values: readonly string[]; chosen: readonly string[] | undefined }) {
  const { legend, name, values, chosen } = props;
  const set = new Set(chosen ?? []);
  return (
    <fieldset>
      <legend>{legend}</legend>
      <Choices name={name} values={values} checked={(v) => set.has(v)} />
    </fieldset>
  );
}

/** The tenant filter of a list: every tenant by name, "All tenants" first. */
export function TenantSelect({ id, tenants, selected }: { id: string; tenants: readonly TenantRecord[]; selected: readonly string[] | string }) {
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return (
    <label for={id}>
      Tenant
      <select id={id} name="tenant">
        <option value="">All tenants</option>
        <Options values={tenants.map((t) => t.id)} selected={selected} labels={(tenantId) => names.get(tenantId) ?? tenantId} />
      </select>
    </label>
  );
}

/** The customer-group filter (`?group=`): only the groups the operator may see; nothing when there are none. */
export function GroupSelect({ id, groups, selected }: { id: string; groups: readonly string[]; selected: string }) {
  if (groups.length === 0) return "";
  return (
    <label for={id}>
      Customer group
      <select id={id} name="group">
        <option value="">All groups</option>
        <Options values={groups} selected={selected} />
      </select>
    </label>
  );
}

/** First and next page links of a list paged by `pageToken`, keeping the other query parameters. */
export function Pager({ path, params, next, nextId }: { path: string; params: URLSearchParams; next: string | null; nextId: string }) {
  const base: Record<string, string[]> = {};
  for (const key of new Set(params.keys())) if (key !== "pageToken") base[key] = params.getAll(key);
  return (
    <nav class="pager" aria-label="Pages">
      {params.get("pageToken") ? <a href={text(`${path}${qs(base)}`)}>First page</a> : ""}
      {next ? <a href={text(`${path}${qs({ ...base, pageToken: next })}`)} id={nextId} rel="next">Next page</a> : ""}
    </nav>
  );
}
