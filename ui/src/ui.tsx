// Pieces every page uses: loading data, showing errors, JSON, tags, tables and server-paginated lists.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError } from './api.ts';
import { useI18n } from './i18n.tsx';
import { navigate } from './router.ts';

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: Error | null; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: Error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}

export function ErrorBox({ error }: { error: Error | null }) {
  if (!error) return null;
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <div className="error" role="alert">
      {error.message}
      {issues.length > 0 && (
        <ul>
          {issues.map((issue, i) => (
            <li key={i}>
              <code>{issue.path}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ when, children }: { when: boolean; children?: ReactNode }) {
  const { t } = useI18n();
  return when ? <p className="muted">{t('loading')}</p> : <>{children}</>;
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function Tag({ tone = 'plain', children }: { tone?: 'plain' | 'good' | 'bad' | 'warn'; children: ReactNode }) {
  return <span className={`tag tag-${tone}`}>{children}</span>;
}

export function statusTone(status: string): 'good' | 'bad' | 'warn' | 'plain' {
  if (/^(Success|delivered|completed|sent)$/.test(status)) return 'good';
  if (/Error|failed|parked/i.test(status)) return 'bad';
  if (/queued|sending|running|noBranch/i.test(status)) return 'warn';
  return 'plain';
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="panel">
      <header>
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export interface Column<T> {
  title?: ReactNode;
  cell: (row: T) => ReactNode;
  className?: string;
}

export interface TableProps<T> {
  columns: Column<T>[];
  rowKey: (row: T) => string | number;
  /** the page a click on the row opens */
  open?: (row: T) => string;
  rowClass?: (row: T) => string;
  className?: string;
}

export function Table<T>({ rows, columns, rowKey, open, rowClass, className }: TableProps<T> & { rows: T[] }) {
  return (
    <table className={`list ${className ?? ''}`}>
      {columns.some((column) => column.title !== undefined) && (
        <thead>
          <tr>
            {columns.map((column, i) => (
              <th key={i}>{column.title}</th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} className={rowClass?.(row)} onClick={open ? () => navigate(open(row)) : undefined}>
            {columns.map((column, i) => (
              <td key={i} className={column.className}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One page of a list as the admin API answers it: ask for the following page with `?before=<next>`; null at the end. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A list paginated on the server: the first page for the current filters (`deps`), then "more" by the cursor. */
export function PagedList<T>({
  load,
  deps,
  empty,
  ...table
}: TableProps<T> & { load: (cursor: Page<T>['next']) => Promise<Page<T>>; deps: unknown[]; empty?: ReactNode }) {
  const { t } = useI18n();
  const [later, setLater] = useState<Page<T>[]>([]);
  const [moreError, setMoreError] = useState<Error | null>(null);
  const first = useLoad(async () => {
    const page = await load(null);
    setLater([]);
    setMoreError(null);
    return page;
  }, deps);
  const pages = first.data ? [first.data, ...later] : [];
  const next = pages.at(-1)?.next ?? null;
  const more = () =>
    load(next).then(
      (page) => setLater([...later, page]),
      (error: Error) => setMoreError(error),
    );
  const rows = pages.flatMap((page) => page.items);
  return (
    <>
      <ErrorBox error={first.error ?? moreError} />
      <Loading when={first.loading && !first.data}>
        {first.data && (rows.length === 0 ? <p className="muted">{empty ?? t('noData')}</p> : <Table rows={rows} {...table} />)}
        {next !== null && (
          <button type="button" onClick={more}>
            {t('more')}
          </button>
        )}
      </Loading>
    </>
  );
}
