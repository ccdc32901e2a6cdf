// Orders: a filtered list (venue, dates, line status, guest) and an order with its lines, statuses and
// their history, the money given back, promotions applied, points spent and earned. An offline order is dated
// when it was rung up, with when it reached the server beside it.
import { useState, type FormEvent } from 'react';
import { get, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href, navigate, type PageProps } from '../router.ts';
import { ErrorBox, Json, Loading, PagedList, Section, Table, Tag, useLoad, type Page } from '../ui.tsx';

interface OrderRow {
  id: number;
  ids: Record<string, string>;
  kind: string;
  customerId: number | null;
  pointOfContact: string | null;
  totalPrice: number;
  statuses: string[];
  executedAt: string;
  receivedAt: string | null;
}

export function OrdersPage({ params }: PageProps) {
  const { t, dateTime, number } = useI18n();
  const filters = {
    pointOfContact: params.get('pointOfContact') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    status: params.get('status') ?? '',
    customerId: params.get('customerId') ?? '',
  };
  const [form, setForm] = useState(filters);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate('/orders', form);
  };
  return (
    <div className="page">
      <h1>{t('orders')}</h1>
      <form className="filters" onSubmit={submit}>
        <label>
          {t('venue')}
          <input value={form.pointOfContact} onChange={(e) => setForm({ ...form, pointOfContact: e.target.value })} />
        </label>
        <label>
          {t('from')}
          <input type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          {t('to')}
          <input type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <label>
          {t('status')}
          <input value={form.status} placeholder="iikoPaid" onChange={(e) => setForm({ ...form, status: e.target.value })} />
        </label>
        <label>
          {t('guest')}
          <input value={form.customerId} inputMode="numeric" onChange={(e) => setForm({ ...form, customerId: e.target.value })} />
        </label>
        <button type="submit">{t('apply')}</button>
      </form>
      <PagedList<OrderRow>
        className="orders"
        deps={[JSON.stringify(filters)]}
        load={(before) => get<Page<OrderRow>>(`/api/admin/orders${query({ ...filters, limit: 50, before })}`)}
        rowKey={(order) => order.id}
        open={(order) => `/orders/${order.id}`}
        columns={[
          {
            title: t('id'),
            cell: (order) => (
              <>
                <a href={href(`/orders/${order.id}`)}>#{order.id}</a> <span className="muted small">{Object.values(order.ids ?? {}).join(' ')}</span>
              </>
            ),
          },
          {
            title: t('date'),
            cell: (order) => (
              <>
                {dateTime(order.executedAt)}
                {order.receivedAt ? <div className="muted small">{`${t('receivedOffline')} ${dateTime(order.receivedAt)}`}</div> : null}
              </>
            ),
          },
          { title: t('venue'), cell: (order) => order.pointOfContact ?? '—' },
          {
            title: t('guest'),
            cell: (order) => (order.customerId ? <a href={href(`/guests/${order.customerId}`)}>#{order.customerId}</a> : <span className="muted">{t('anonymous')}</span>),
          },
          { title: t('status'), cell: (order) => (order.statuses ?? []).map((s) => <Tag key={s}>{s}</Tag>) },
          { title: t('totalPrice'), cell: (order) => `${number(order.totalPrice)} ₽`, className: 'num' },
        ]}
      />
    </div>
  );
}

export function OrderPage({ id }: PageProps & { id: string }) {
  const { t, dateTime, number } = useI18n();
  const { data, error } = useLoad(() => get<Record<string, any>>(`/api/admin/orders/${encodeURIComponent(id)}`), [id]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading when />;
  const lines: Record<string, any>[] = data.lines ?? [];
  return (
    <div className="page">
      <p>
        <a href={href('/orders')}>← {t('orders')}</a>
      </p>
      <h1>
        #{data.id} <span className="muted">{Object.entries(data.ids ?? {}).map(([k, v]) => `${k}: ${v}`).join(' · ')}</span>
      </h1>
      <dl className="facts">
        <dt>{t('date')}</dt>
        <dd>
          {dateTime(data.executedAt)}
          {data.receivedAt ? <span className="muted small">{` · ${t('receivedOffline')} ${dateTime(data.receivedAt)}`}</span> : null}
        </dd>
        <dt>{t('guest')}</dt>
        <dd>{data.customerId ? <a href={href(`/guests/${data.customerId}`)}>#{data.customerId}</a> : t('anonymous')}</dd>
        <dt>{t('venue')}</dt>
        <dd>
          {data.pointOfContact ?? '—'} {data.cashdesk ? `· ${data.cashdesk}` : ''}
        </dd>
        <dt>{t('operation')}</dt>
        <dd>{data.operation}</dd>
        <dt>{t('total')}</dt>
        <dd>
          {number(data.subtotal)} − {number(data.discountTotal)} = <b>{number(data.totalPrice)} ₽</b>
        </dd>
        {data.coupons?.length ? (
          <>
            <dt>Coupons</dt>
            <dd>{data.coupons.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      <Section title={t('orderLines')}>
        <Table
          className="lines"
          rows={lines}
          rowKey={(line) => line.lineNumber}
          columns={[
            { title: '#', cell: (line) => line.lineNumber },
            { title: 'Product', cell: (line) => line.productId ?? '—' },
            { title: t('status'), cell: (line) => <Tag>{line.status}</Tag> },
            {
              title: 'Qty',
              cell: (line) => `${number(line.quantity)}${line.quantityReturned ? ` (−${number(line.quantityReturned)})` : ''}`,
              className: 'num',
            },
            {
              title: t('total'),
              cell: (line) => (
                <>
                  {number(line.discountedPriceOfLine)} <span className="muted small">/ {number(line.lineTotal)}</span>
                </>
              ),
              className: 'num',
            },
            { title: t('pointsSpent'), cell: (line) => number(line.pointsSpentNow ?? line.pointsSpent), className: 'num' },
            { title: t('pointsEarned'), cell: (line) => number(line.pointsEarnedNow ?? line.pointsEarned), className: 'num' },
          ]}
        />
        {lines.some((line) => line.appliedPromotions?.length) && (
          <>
            <h3>{t('promotions')}</h3>
            <Json value={lines.map((line) => ({ line: line.lineNumber, promotions: line.appliedPromotions }))} />
          </>
        )}
      </Section>
      <Section title={t('history')}>
        <Table<Record<string, any>>
          rows={(data.history ?? []).map((entry: Record<string, any>, index: number) => ({ ...entry, index }))}
          rowKey={(entry) => entry.index}
          columns={[
            { cell: (entry) => dateTime(entry.at) },
            { cell: (entry) => `#${entry.lineNumber}` },
            { cell: (entry) => <Tag>{entry.status}</Tag> },
            { cell: (entry) => number(entry.quantity), className: 'num' },
            { cell: (entry) => entry.operation },
          ]}
        />
        {data.returnedPayments?.length ? (
          <>
            <h3>{t('returnedPayments')}</h3>
            <Table<Record<string, any>>
              className="returned-payments"
              rows={data.returnedPayments.map((payment: Record<string, any>, index: number) => ({ ...payment, index }))}
              rowKey={(payment) => payment.index}
              columns={[
                { cell: (payment) => dateTime(payment.at) },
                { cell: (payment) => payment.type },
                { cell: (payment) => `${number(payment.amount)} ₽`, className: 'num' },
                { cell: (payment) => payment.operation },
              ]}
            />
          </>
        ) : null}
      </Section>
    </div>
  );
}
