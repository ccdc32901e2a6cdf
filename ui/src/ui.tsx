// Pieces every page uses: loading data, showing errors, JSON, tags.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError } from './api.ts';
import { useI18n } from './i18n.tsx';

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
