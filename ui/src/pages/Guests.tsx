// Finding a guest and the guest's card: profile, rank, segments, balances, the ledger with a reason for
// every change, a manual adjustment (owner, marketer), orders, messages and scenario runs.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { PageProps } from '../App.tsx';
import { ApiError, get, post, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href, navigate } from '../router.ts';
import { ErrorBox, Loading, Section, statusTone, Tag, useLoad } from '../ui.tsx';

interface GuestSummary {
  id: number;
  mobilePhone: string | null;
  isMobilePhoneConfirmed: boolean;
  pendingMobilePhone: string | null;
  lastName: string | null;
  firstName: string | null;
  middleName: string | null;
  discountCard: string | null;
  rank: string | null;
  createdAt: string;
}

interface GuestCard extends GuestSummary {
  email: string | null;
  birthDate: string | null;
  sex: string | null;
  registeredVia: string | null;
  customFields: Record<string, unknown>;
  segments: { systemName: string; name: string; enteredAt: string | null }[];
  balances: { systemName: string; name: string; total: number; available: number; blocked: number; nearestExpiration?: { total: number; date: string } }[];
}

export const fullName = (g: Pick<GuestSummary, 'lastName' | 'firstName' | 'middleName'>) => [g.lastName, g.firstName, g.middleName].filter(Boolean).join(' ') || '—';
export const formatPhone = (phone: string | null) => (phone && /^7\d{10}$/.test(phone) ? `+7 ${phone.slice(1, 4)} ${phone.slice(4, 7)}-${phone.slice(7, 9)}-${phone.slice(9)}` : (phone ?? '—'));

export function GuestsPage({ params }: PageProps) {
  const { t, dateTime } = useI18n();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const [pages, setPages] = useState<GuestSummary[][]>([]);
  const [next, setNext] = useState<number | null>(null);
  const { data, error, loading } = useLoad(async () => {
    const answer = await get<{ items: GuestSummary[]; nextBeforeId: number | null }>(`/api/admin/customers${query({ q, limit: 50 })}`);
    setPages([answer.items]);
    setNext(answer.nextBeforeId);
    return answer;
  }, [q]);
  const more = async () => {
    const answer = await get<{ items: GuestSummary[]; nextBeforeId: number | null }>(`/api/admin/customers${query({ q, limit: 50, beforeId: next })}`);
    setPages([...pages, answer.items]);
    setNext(answer.nextBeforeId);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate('/guests', { q: text });
  };
  const rows = pages.flat();
  return (
    <div className="page">
      <h1>{t('guests')}</h1>
      <form className="filters" onSubmit={submit} role="search">
        <input className="wide" name="q" placeholder={t('searchGuests')} value={text} onChange={(e) => setText(e.target.value)} aria-label={t('searchGuests')} />
        <button type="submit">{t('search')}</button>
      </form>
      <ErrorBox error={error} />
      <Loading when={loading && !data}>
        {rows.length === 0 ? (
          <p className="muted">{t('nothingFound')}</p>
        ) : (
          <table className="list guests">
            <thead>
              <tr>
                <th>{t('id')}</th>
                <th>{t('fullName')}</th>
                <th>{t('phone')}</th>
                <th>{t('card')}</th>
                <th>{t('rank')}</th>
                <th>{t('registered')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((g) => (
                <tr key={g.id} onClick={() => navigate(`/guests/${g.id}`)}>
                  <td>
                    <a href={href(`/guests/${g.id}`)}>{g.id}</a>
                  </td>
                  <td>{fullName(g)}</td>
                  <td>
                    {formatPhone(g.mobilePhone ?? g.pendingMobilePhone)} {g.mobilePhone && !g.isMobilePhoneConfirmed && <Tag tone="warn">{t('notConfirmed')}</Tag>}
                  </td>
                  <td>{g.discountCard ?? '—'}</td>
                  <td>{g.rank ? <Tag>{g.rank}</Tag> : '—'}</td>
                  <td>{dateTime(g.createdAt)}</td>
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

const pick = (row: Record<string, any>, ...keys: string[]) => {
  for (const key of keys) if (row[key] !== undefined) return row[key];
  return undefined;
};

function Ledger({ guestId, version }: { guestId: number; version: number }) {
  const { t, dateTime, number } = useI18n();
  const { data, error, loading } = useLoad(() => get<{ items: Record<string, any>[] }>(`/api/admin/customers/${guestId}/ledger`), [guestId, version]);
  if (error instanceof ApiError && error.status === 404) return <p className="muted">{t('notRecordedYet')}</p>;
  return (
    <>
      <ErrorBox error={error} />
      <Loading when={loading && !data}>
        <table className="list ledger">
          <thead>
            <tr>
              <th>{t('when')}</th>
              <th>{t('change')}</th>
              <th>{t('reason')}</th>
              <th>{t('source')}</th>
              <th>{t('balanceAfter')}</th>
            </tr>
          </thead>
          <tbody>
            {(data?.items ?? []).map((entry) => {
              const amount = Number(pick(entry, 'amount'));
              const source = pick(entry, 'source');
              const orderId = pick(entry, 'orderId', 'order_id');
              return (
                <tr key={entry.id}>
                  <td>{dateTime(pick(entry, 'at'))}</td>
                  <td className={amount < 0 ? 'bad num' : 'good num'}>
                    {amount > 0 ? '+' : ''}
                    {number(amount)} <span className="muted small">{t(`kind_${pick(entry, 'kind')}`)}</span>
                  </td>
                  <td className="reason">{pick(entry, 'reason')}</td>
                  <td className="small">
                    {t(`source_${source}`)} {pick(entry, 'operation') ?? ''} {pick(entry, 'actor') ?? ''} {orderId ? <a href={href(`/orders/${orderId}`)}>#{orderId}</a> : null}
                  </td>
                  <td className="num">{pick(entry, 'balanceAfter', 'balance_after') !== undefined ? number(Number(pick(entry, 'balanceAfter', 'balance_after'))) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Loading>
    </>
  );
}

function Adjustment({ guestId, balanceTypes, onDone }: { guestId: number; balanceTypes: { systemName: string; name: string }[]; onDone: () => void }) {
  const { t } = useI18n();
  const [balanceType, setBalanceType] = useState(balanceTypes[0]?.systemName ?? '');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await post(`/api/admin/customers/${guestId}/adjustments`, { balanceType, amount: Number(amount.replace(',', '.')), reason });
      setAmount('');
      setReason('');
      setSaved(true);
      onDone();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <form className="adjust" onSubmit={submit} aria-label={t('adjust')}>
      {balanceTypes.length > 1 && (
        <select value={balanceType} onChange={(e) => setBalanceType(e.target.value)}>
          {balanceTypes.map((b) => (
            <option key={b.systemName} value={b.systemName}>
              {b.name}
            </option>
          ))}
        </select>
      )}
      <label>
        {t('amount')}
        <input name="amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} required />
      </label>
      <label className="grow">
        {t('adjustReason')}
        <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
      </label>
      <button type="submit">{t('save')}</button>
      {saved && <span className="good">{t('saved')}</span>}
      <ErrorBox error={error} />
    </form>
  );
}

function OptionalList({ url, render }: { url: string; render: (items: Record<string, any>[]) => ReactNode }) {
  const { t } = useI18n();
  const { data, error, loading } = useLoad(() => get<{ items: Record<string, any>[] }>(url), [url]);
  if (error instanceof ApiError && error.status === 404) return <p className="muted">{t('notRecordedYet')}</p>;
  if (error) return <ErrorBox error={error} />;
  if (loading || !data) return <Loading when />;
  if (data.items.length === 0) return <p className="muted">{t('noData')}</p>;
  return render(data.items);
}

export function GuestPage({ id, user }: PageProps & { id: number }) {
  const { t, dateTime, number } = useI18n();
  const [version, setVersion] = useState(0);
  const { data: guest, error } = useLoad(() => get<GuestCard>(`/api/admin/customers/${id}`), [id, version]);
  if (error) return <ErrorBox error={error} />;
  if (!guest) return <Loading when />;
  const canChange = user.role !== 'viewer';
  return (
    <div className="page guest">
      <p>
        <a href={href('/guests')}>← {t('guests')}</a>
      </p>
      <h1>
        {fullName(guest)} {guest.rank && <Tag tone="good">{guest.rank}</Tag>}
      </h1>
      <div className="grid2">
        <Section title={t('profile')}>
          <dl className="facts">
            <dt>{t('id')}</dt>
            <dd>{guest.id}</dd>
            <dt>{t('phone')}</dt>
            <dd>
              {formatPhone(guest.mobilePhone)} {guest.mobilePhone && <Tag tone={guest.isMobilePhoneConfirmed ? 'good' : 'warn'}>{guest.isMobilePhoneConfirmed ? t('confirmed') : t('notConfirmed')}</Tag>}
            </dd>
            {guest.pendingMobilePhone && (
              <>
                <dt>{t('pendingPhone')}</dt>
                <dd>{formatPhone(guest.pendingMobilePhone)}</dd>
              </>
            )}
            <dt>{t('card')}</dt>
            <dd>{guest.discountCard ?? '—'}</dd>
            <dt>{t('email')}</dt>
            <dd>{guest.email ?? '—'}</dd>
            <dt>{t('birthDate')}</dt>
            <dd>{guest.birthDate ?? '—'}</dd>
            <dt>{t('registered')}</dt>
            <dd>
              {dateTime(guest.createdAt)} {guest.registeredVia ? `· ${guest.registeredVia}` : ''}
            </dd>
            <dt>{t('segments')}</dt>
            <dd>{guest.segments.length ? guest.segments.map((s) => <Tag key={s.systemName}>{s.name}</Tag>) : '—'}</dd>
            {Object.keys(guest.customFields).length > 0 && (
              <>
                <dt>{t('customFields')}</dt>
                <dd>
                  {Object.entries(guest.customFields).map(([key, value]) => (
                    <div key={key}>
                      <code>{key}</code>: {String(value)}
                    </div>
                  ))}
                </dd>
              </>
            )}
          </dl>
        </Section>
        <Section title={t('balance')}>
          {guest.balances.map((b) => (
            <div key={b.systemName} className="balance">
              <b className="big" data-balance={b.systemName}>
                {number(b.total)}
              </b>{' '}
              {b.name}
              <div className="muted small">
                {t('available')} {number(b.available)} · {t('blocked')} {number(b.blocked)}
                {b.nearestExpiration && ` · ${t('expires')} ${b.nearestExpiration.date}: ${number(b.nearestExpiration.total)}`}
              </div>
            </div>
          ))}
          {canChange ? (
            <>
              <h3>{t('adjust')}</h3>
              <Adjustment guestId={guest.id} balanceTypes={guest.balances.map(({ systemName, name }) => ({ systemName, name }))} onDone={() => setVersion((v) => v + 1)} />
            </>
          ) : (
            <p className="muted small">{t('viewerReadOnly')}</p>
          )}
        </Section>
      </div>
      <Section title={t('ledger')}>
        <Ledger guestId={guest.id} version={version} />
      </Section>
      <Section title={t('orders')}>
        <OptionalList
          url={`/api/admin/orders${query({ customerId: guest.id, limit: 20 })}`}
          render={(items) => (
            <table className="list orders">
              <tbody>
                {items.map((o) => (
                  <tr key={o.id} onClick={() => navigate(`/orders/${o.id}`)}>
                    <td>
                      <a href={href(`/orders/${o.id}`)}>#{o.id}</a>
                    </td>
                    <td>{dateTime(o.executedAt ?? o.executed_at ?? o.createdAt ?? o.created_at)}</td>
                    <td>{o.pointOfContact ?? o.point_of_contact ?? ''}</td>
                    <td className="num">{number(Number(o.totalPrice ?? o.total_price ?? 0))} ₽</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        />
      </Section>
      <div className="grid2">
        <Section title={t('messages')}>
          <OptionalList
            url={`/api/admin/messages${query({ customerId: guest.id, limit: 20 })}`}
            render={(items) => (
              <table className="list">
                <tbody>
                  {items.map((m) => (
                    <tr key={m.id}>
                      <td>{dateTime(m.createdAt)}</td>
                      <td>
                        <Tag tone={statusTone(m.status)}>{t(m.status)}</Tag>
                      </td>
                      <td>{m.mailing}</td>
                      <td className="small">{m.lastError ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          />
        </Section>
        <Section title={t('scenarioRuns')}>
          <OptionalList
            url={`/api/admin/customers/${guest.id}/scenario-runs`}
            render={(items) => (
              <table className="list">
                <tbody>
                  {items.map((run) => (
                    <tr key={run.id}>
                      <td>{dateTime(run.at)}</td>
                      <td>{run.scenario}</td>
                      <td>
                        <Tag tone={statusTone(run.status)}>{run.status}</Tag>
                      </td>
                      <td className="small">
                        {run.branch ?? ''}
                        {(run.steps ?? []).map((step: { type: string; status: string; detail?: string }, i: number) => (
                          <div key={i}>
                            {step.type}: <Tag tone={statusTone(step.status === 'done' ? 'completed' : step.status)}>{step.status}</Tag> {step.detail ?? ''}
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          />
        </Section>
      </div>
    </div>
  );
}
