// Orders: a filtered list (venue, dates, line status, guest) and an order with its lines, statuses and
// their history, promotions applied, points spent and earned.
import { useState, type FormEvent } from 'react';
import type { PageProps } from '../App.tsx';
import { ApiError, get, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href, navigate } from '../router.ts';
import { ErrorBox, Json, Loading, Section, Tag, useLoad } from '../ui.tsx';

interface OrderRow {
  id: number;
  ids: Record<string, string>;
  kind: string;
  customerId: number | null;
  pointOfContact: string | null;
  totalPrice: number;
  statuses: string[];
  executedAt: string;
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
  const [extra, setExtra] = useState<OrderRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const { data, error, loading } = useLoad(async () => {
    const answer = await get<{ items: OrderRow[]; next: string | null }>(`/api/admin/orders${query({ ...filters, limit: 50 })}`);
    setExtra([]);
    setNext(answer.next);
    return answer.items;
  }, [JSON.stringify(filters)]);
  const more = async () => {
    const answer = await get<{ items: OrderRow[]; next: string | null }>(`/api/admin/orders${query({ ...filters, limit: 50, before: next })}`);
    setExtra([...extra, ...answer.items]);
    setNext(answer.next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate('/orders', form);
  };
  if (error instanceof ApiError && error.status === 404) {
    return (
      <div className="page">
        <h1>{t('orders')}</h1>
        <p className="muted">{t('notAvailable')}</p>
      </div>
    );
  }
  const rows = [...(data ?? []), ...extra];
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
      <ErrorBox error={error} />
      <Loading when={loading && !data}>
        {rows.length === 0 ? (
          <p className="muted">{t('noData')}</p>
        ) : (
          <table className="list orders">
            <thead>
              <tr>
                <th>{t('id')}</th>
                <th>{t('date')}</th>
                <th>{t('venue')}</th>
                <th>{t('guest')}</th>
                <th>{t('status')}</th>
                <th>{t('totalPrice')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((order) => (
                <tr key={order.id} onClick={() => navigate(`/orders/${order.id}`)}>
                  <td>
                    <a href={href(`/orders/${order.id}`)}>#{order.id}</a> <span className="muted small">{Object.values(order.ids ?? {}).join(' ')}</span>
                  </td>
                  <td>{dateTime(order.executedAt)}</td>
                  <td>{order.pointOfContact ?? '—'}</td>
                  <td>{order.customerId ? <a href={href(`/guests/${order.customerId}`)}>#{order.customerId}</a> : <span className="muted">{t('anonymous')}</span>}</td>
                  <td>
                    {(order.statuses ?? []).map((s) => (
                      <Tag key={s}>{s}</Tag>
                    ))}
                  </td>
                  <td className="num">{number(order.totalPrice)} ₽</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && (
          <button type="button" onClick={more}>
            {t('more')}
          </button>
        )}
      </Loading>
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
        <dd>{dateTime(data.executedAt)}</dd>
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
        <table className="list lines">
          <thead>
            <tr>
              <th>#</th>
              <th>Product</th>
              <th>{t('status')}</th>
              <th>Qty</th>
              <th>{t('total')}</th>
              <th>{t('pointsSpent')}</th>
              <th>{t('pointsEarned')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.lineNumber}>
                <td>{line.lineNumber}</td>
                <td>{line.productId ?? '—'}</td>
                <td>
                  <Tag>{line.status}</Tag>
                </td>
                <td className="num">
                  {number(line.quantity)}
                  {line.quantityReturned ? ` (−${number(line.quantityReturned)})` : ''}
                </td>
                <td className="num">
                  {number(line.discountedPriceOfLine)} <span className="muted small">/ {number(line.lineTotal)}</span>
                </td>
                <td className="num">{number(line.pointsSpentNow ?? line.pointsSpent)}</td>
                <td className="num">{number(line.pointsEarnedNow ?? line.pointsEarned)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {lines.some((line) => line.appliedPromotions?.length) && (
          <>
            <h3>{t('promotions')}</h3>
            <Json value={lines.map((line) => ({ line: line.lineNumber, promotions: line.appliedPromotions }))} />
          </>
        )}
      </Section>
      <Section title={t('history')}>
        <table className="list">
          <tbody>
            {(data.history ?? []).map((entry: Record<string, any>, i: number) => (
              <tr key={i}>
                <td>{dateTime(entry.at)}</td>
                <td>#{entry.lineNumber}</td>
                <td>
                  <Tag>{entry.status}</Tag>
                </td>
                <td className="num">{number(entry.quantity)}</td>
                <td>{entry.operation}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </div>
  );
}
