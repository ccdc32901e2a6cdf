// The operations log: why a cashier's request failed. Filters by operation, status, integration point
// and time; a call opens with its request and answer (phones and codes were masked when stored).
import { useState, type FormEvent } from 'react';
import { get, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href, navigate, type PageProps } from '../router.ts';
import { ErrorBox, Json, Loading, PagedList, Section, statusTone, Tag, useLoad, type Page } from '../ui.tsx';

interface Entry {
  id: number;
  at: string;
  integration_point: string | null;
  operation: string | null;
  mode: string;
  status: string;
  http_status: number;
  duration_ms: number;
  transaction_id: string | null;
  request_id: string;
  error_id: string | null;
  request: unknown;
  response: unknown;
  notes: unknown;
}

const STATUSES = ['Success', 'ValidationError', 'ProtocolError', 'InternalServerError', 'TransactionAlreadyProcessed', 'Accepted'];

const toIso = (local: string) => (local ? new Date(local).toISOString() : '');

export function OperationLogPage({ params }: PageProps) {
  const { t, dateTime } = useI18n();
  const filters = {
    operation: params.get('operation') ?? '',
    status: params.get('status') ?? '',
    integrationPoint: params.get('integrationPoint') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const [form, setForm] = useState(filters);
  const filterQuery = { ...filters, from: toIso(filters.from), to: toIso(filters.to) };
  const project = useLoad(() => get<{ operations: { systemName: string }[]; integrationPoints: { systemName: string }[] }>('/api/admin/project'), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate('/log', form);
  };
  return (
    <div className="page">
      <h1>{t('operationLog')}</h1>
      <form className="filters" onSubmit={submit}>
        <label>
          {t('operation')}
          <select value={form.operation} onChange={(e) => setForm({ ...form, operation: e.target.value })}>
            <option value="">{t('any')}</option>
            {(project.data?.operations ?? []).map((o) => (
              <option key={o.systemName}>{o.systemName}</option>
            ))}
          </select>
        </label>
        <label>
          {t('status')}
          <select value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
            <option value="">{t('any')}</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          {t('integrationPoint')}
          <select value={form.integrationPoint} onChange={(e) => setForm({ ...form, integrationPoint: e.target.value })}>
            <option value="">{t('any')}</option>
            {(project.data?.integrationPoints ?? []).map((p) => (
              <option key={p.systemName}>{p.systemName}</option>
            ))}
          </select>
        </label>
        <label>
          {t('from')}
          <input type="datetime-local" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          {t('to')}
          <input type="datetime-local" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <button type="submit">{t('apply')}</button>
      </form>
      <PagedList<Entry>
        className="log"
        deps={[JSON.stringify(filters)]}
        load={(before) => get<Page<Entry>>(`/api/admin/operation-log${query({ ...filterQuery, limit: 50, before })}`)}
        rowKey={(entry) => entry.id}
        open={(entry) => `/log/${entry.id}`}
        columns={[
          { title: t('when'), cell: (entry) => <a href={href(`/log/${entry.id}`)}>{dateTime(entry.at)}</a> },
          {
            title: t('operation'),
            cell: (entry) => (
              <>
                {entry.operation ?? '—'} <span className="muted small">{entry.mode}</span>
              </>
            ),
          },
          { title: t('status'), cell: (entry) => <Tag tone={statusTone(entry.status)}>{entry.status}</Tag> },
          { title: 'HTTP', cell: (entry) => entry.http_status },
          { title: t('integrationPoint'), cell: (entry) => entry.integration_point ?? '—' },
          { title: t('duration'), cell: (entry) => entry.duration_ms, className: 'num' },
        ]}
      />
    </div>
  );
}

export function OperationLogEntryPage({ id }: PageProps & { id: number }) {
  const { t, dateTime } = useI18n();
  const { data, error } = useLoad(() => get<Entry>(`/api/admin/operation-log/${id}`), [id]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading when />;
  return (
    <div className="page">
      <p>
        <a href={href('/log')}>← {t('operationLog')}</a>
      </p>
      <h1>
        {data.operation ?? '—'} <Tag tone={statusTone(data.status)}>{data.status}</Tag>
      </h1>
      <dl className="facts">
        <dt>{t('when')}</dt>
        <dd>{dateTime(data.at)}</dd>
        <dt>{t('integrationPoint')}</dt>
        <dd>{data.integration_point ?? '—'}</dd>
        <dt>HTTP</dt>
        <dd>
          {data.http_status} · {data.mode} · {data.duration_ms} ms
        </dd>
        <dt>transactionId</dt>
        <dd>{data.transaction_id ?? '—'}</dd>
        <dt>requestId / errorId</dt>
        <dd>
          {data.request_id} {data.error_id ? ` / ${data.error_id}` : ''}
        </dd>
      </dl>
      <div className="grid2">
        <Section title={t('request')}>
          <Json value={data.request} />
        </Section>
        <Section title={t('answer')}>
          <Json value={data.response} />
        </Section>
      </div>
      {data.notes ? (
        <Section title="notes">
          <Json value={data.notes} />
        </Section>
      ) : null}
    </div>
  );
}
