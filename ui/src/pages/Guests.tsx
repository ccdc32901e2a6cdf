// Finding a guest and the guest's card: profile, rank, segments, balances, the ledger with a reason for
// every change, a manual adjustment (owner, marketer), the consent per channel with its history and a change
// of it with a reason (owner, marketer), orders, messages and scenario runs.
import { useState, type FormEvent } from 'react';
import { get, post, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href, navigate, type PageProps } from '../router.ts';
import { ErrorBox, Loading, PagedList, Section, statusTone, Tag, useLoad, type Page } from '../ui.tsx';
import { loadMessages, type Message } from './Messages.tsx';

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

const CHANNELS = ['Sms', 'Email', 'Viber', 'Mobilepush', 'Webpush'] as const;
type Channel = (typeof CHANNELS)[number];

interface Subscription {
  pointOfContact: Channel;
  brand: string | null;
  topic: string | null;
  isSubscribed: boolean;
  changedAt: string;
}

interface SubscriptionChange {
  id: number;
  pointOfContact: Channel;
  brand: string | null;
  topic: string | null;
  wasSubscribed: boolean | null;
  isSubscribed: boolean;
  at: string;
  source: 'operation' | 'admin';
  integrationPoint: string | null;
  operation: string | null;
  actor: string | null;
  reason: string | null;
}

interface GuestCard extends GuestSummary {
  email: string | null;
  birthDate: string | null;
  sex: string | null;
  registeredVia: string | null;
  customFields: Record<string, unknown>;
  segments: { systemName: string; name: string; enteredAt: string | null }[];
  balances: { systemName: string; name: string; total: number; available: number; blocked: number; nearestExpiration?: { total: number; date: string } }[];
  subscriptions: Subscription[];
}

export const fullName = (g: Pick<GuestSummary, 'lastName' | 'firstName' | 'middleName'>) => [g.lastName, g.firstName, g.middleName].filter(Boolean).join(' ') || '—';
export const formatPhone = (phone: string | null) => (phone && /^7\d{10}$/.test(phone) ? `+7 ${phone.slice(1, 4)} ${phone.slice(4, 7)}-${phone.slice(7, 9)}-${phone.slice(9)}` : (phone ?? '—'));

export function GuestsPage({ params }: PageProps) {
  const { t, dateTime } = useI18n();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate('/guests', { q: text });
  };
  return (
    <div className="page">
      <h1>{t('guests')}</h1>
      <form className="filters" onSubmit={submit} role="search">
        <input className="wide" name="q" placeholder={t('searchGuests')} value={text} onChange={(e) => setText(e.target.value)} aria-label={t('searchGuests')} />
        <button type="submit">{t('search')}</button>
      </form>
      <PagedList<GuestSummary>
        className="guests"
        deps={[q]}
        empty={t('nothingFound')}
        load={(before) => get<Page<GuestSummary>>(`/api/admin/customers${query({ q, limit: 50, before })}`)}
        rowKey={(g) => g.id}
        open={(g) => `/guests/${g.id}`}
        columns={[
          { title: t('id'), cell: (g) => <a href={href(`/guests/${g.id}`)}>{g.id}</a> },
          { title: t('fullName'), cell: fullName },
          {
            title: t('phone'),
            cell: (g) => (
              <>
                {formatPhone(g.mobilePhone ?? g.pendingMobilePhone)} {g.mobilePhone && !g.isMobilePhoneConfirmed && <Tag tone="warn">{t('notConfirmed')}</Tag>}
              </>
            ),
          },
          { title: t('card'), cell: (g) => g.discountCard ?? '—' },
          { title: t('rank'), cell: (g) => (g.rank ? <Tag>{g.rank}</Tag> : '—') },
          { title: t('registered'), cell: (g) => dateTime(g.createdAt) },
        ]}
      />
    </div>
  );
}

function Ledger({ guestId, version }: { guestId: number; version: number }) {
  const { t, dateTime, number } = useI18n();
  return (
    <PagedList<Record<string, any>>
      className="ledger"
      deps={[guestId, version]}
      load={(before) => get<Page<Record<string, any>>>(`/api/admin/customers/${guestId}/ledger${query({ before })}`)}
      rowKey={(entry) => entry.id}
      columns={[
        { title: t('when'), cell: (entry) => dateTime(entry.at) },
        {
          title: t('change'),
          cell: (entry) => (
            <span className={Number(entry.amount) < 0 ? 'bad' : 'good'}>
              {Number(entry.amount) > 0 ? '+' : ''}
              {number(Number(entry.amount))} <span className="muted small">{t(`kind_${entry.kind}`)}</span>
            </span>
          ),
          className: 'num',
        },
        { title: t('reason'), cell: (entry) => entry.reason, className: 'reason' },
        {
          title: t('source'),
          cell: (entry) => (
            <>
              {t(`source_${entry.source}`)} {entry.operation ?? ''} {entry.actor ?? ''} {entry.orderId ? <a href={href(`/orders/${entry.orderId}`)}>#{entry.orderId}</a> : null}
            </>
          ),
          className: 'small',
        },
        { title: t('balanceAfter'), cell: (entry) => number(Number(entry.balanceAfter)), className: 'num' },
      ]}
    />
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

/** Subscribed, unsubscribed, or no answer (then campaigns do not write either). */
function ConsentTag({ value }: { value: boolean | null }) {
  const { t } = useI18n();
  if (value === null) return <Tag>{t('noAnswer')}</Tag>;
  return <Tag tone={value ? 'good' : 'bad'}>{value ? t('subscribed') : t('unsubscribed')}</Tag>;
}

const scopeOf = (s: { brand: string | null; topic: string | null }) => [s.brand, s.topic].filter(Boolean).join(' / ');

/** The consent per channel, narrower consents (a brand, a topic) below their channel. */
function Consents({ subscriptions }: { subscriptions: Subscription[] }) {
  const { t, dateTime } = useI18n();
  const narrower = subscriptions.filter((s) => s.brand !== null || s.topic !== null);
  return (
    <table className="consents">
      <tbody>
        {CHANNELS.map((channel) => {
          const own = subscriptions.find((s) => s.pointOfContact === channel && s.brand === null && s.topic === null);
          return (
            <tr key={channel} data-channel={channel}>
              <th>{t(`channel_${channel}`)}</th>
              <td>
                <ConsentTag value={own?.isSubscribed ?? null} />
              </td>
              <td className="muted small">{own ? dateTime(own.changedAt) : ''}</td>
            </tr>
          );
        })}
        {narrower.map((s) => (
          <tr key={`${s.pointOfContact}/${s.brand ?? ''}/${s.topic ?? ''}`}>
            <th>
              {t(`channel_${s.pointOfContact}`)} <span className="muted small">{scopeOf(s)}</span>
            </th>
            <td>
              <ConsentTag value={s.isSubscribed} />
            </td>
            <td className="muted small">{dateTime(s.changedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ConsentForm({ guestId, onDone }: { guestId: number; onDone: () => void }) {
  const { t } = useI18n();
  const [channel, setChannel] = useState<Channel>('Sms');
  const [subscribe, setSubscribe] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await post(`/api/admin/customers/${guestId}/subscriptions`, { pointOfContact: channel, isSubscribed: subscribe, reason });
      setReason('');
      setSaved(true);
      onDone();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <form className="consent" onSubmit={submit} aria-label={t('changeConsent')}>
      <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)} aria-label={t('channel')}>
        {CHANNELS.map((c) => (
          <option key={c} value={c}>
            {t(`channel_${c}`)}
          </option>
        ))}
      </select>
      <select name="consent" value={subscribe ? 'yes' : 'no'} onChange={(e) => setSubscribe(e.target.value === 'yes')} aria-label={t('consent')}>
        <option value="no">{t('unsubscribe')}</option>
        <option value="yes">{t('subscribe')}</option>
      </select>
      <label className="grow">
        {t('consentReason')}
        <input name="consentReason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
      </label>
      <button type="submit">{t('save')}</button>
      {saved && <span className="good">{t('saved')}</span>}
      <ErrorBox error={error} />
    </form>
  );
}

function ConsentHistory({ guestId, version }: { guestId: number; version: number }) {
  const { t, dateTime } = useI18n();
  return (
    <PagedList<SubscriptionChange>
      className="consent-history"
      deps={[guestId, version]}
      empty={t('noConsentChanges')}
      load={(before) => get<Page<SubscriptionChange>>(`/api/admin/customers/${guestId}/subscription-history${query({ before })}`)}
      rowKey={(entry) => entry.id}
      columns={[
        { title: t('when'), cell: (entry) => dateTime(entry.at) },
        {
          title: t('channel'),
          cell: (entry) => (
            <>
              {t(`channel_${entry.pointOfContact}`)} <span className="muted small">{scopeOf(entry)}</span>
            </>
          ),
        },
        {
          title: t('change'),
          cell: (entry) => (
            <>
              <ConsentTag value={entry.wasSubscribed} /> → <ConsentTag value={entry.isSubscribed} />
            </>
          ),
        },
        {
          title: t('source'),
          cell: (entry) =>
            entry.source === 'admin' ? (
              <>
                {t('source_admin')} {entry.actor}: <span className="reason">{entry.reason}</span>
              </>
            ) : (
              <>
                {entry.operation} <span className="muted">· {entry.integrationPoint}</span>
              </>
            ),
          className: 'small',
        },
      ]}
    />
  );
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
      <div className="grid2">
        <Section title={t('subscriptions')}>
          <Consents subscriptions={guest.subscriptions} />
          {canChange && (
            <>
              <h3>{t('changeConsent')}</h3>
              <ConsentForm guestId={guest.id} onDone={() => setVersion((v) => v + 1)} />
            </>
          )}
        </Section>
        <Section title={t('consentHistory')}>
          <ConsentHistory guestId={guest.id} version={version} />
        </Section>
      </div>
      <Section title={t('orders')}>
        <PagedList<Record<string, any>>
          className="orders"
          deps={[guest.id]}
          load={(before) => get(`/api/admin/orders${query({ customerId: guest.id, limit: 20, before })}`)}
          rowKey={(o) => o.id}
          open={(o) => `/orders/${o.id}`}
          columns={[
            { cell: (o) => <a href={href(`/orders/${o.id}`)}>#{o.id}</a> },
            { cell: (o) => dateTime(o.executedAt) },
            { cell: (o) => o.pointOfContact ?? '' },
            { cell: (o) => `${number(o.totalPrice)} ₽`, className: 'num' },
          ]}
        />
      </Section>
      <div className="grid2">
        <Section title={t('messages')}>
          <PagedList<Message>
            deps={[guest.id]}
            load={(before) => loadMessages({ customerId: guest.id }, before)}
            rowKey={(m) => m.id}
            columns={[
              { cell: (m) => dateTime(m.createdAt) },
              { cell: (m) => <Tag tone={statusTone(m.status)}>{t(m.status)}</Tag> },
              { cell: (m) => m.mailing },
              { cell: (m) => m.lastError ?? '', className: 'small' },
            ]}
          />
        </Section>
        <Section title={t('scenarioRuns')}>
          <PagedList<Record<string, any>>
            deps={[guest.id]}
            load={async () => ({ ...(await get(`/api/admin/customers/${guest.id}/scenario-runs`)), next: null })}
            rowKey={(run) => run.id}
            columns={[
              { cell: (run) => dateTime(run.at) },
              { cell: (run) => run.scenario },
              { cell: (run) => <Tag tone={statusTone(run.status)}>{run.status}</Tag> },
              {
                cell: (run) => (
                  <>
                    {run.branch ?? ''}
                    {(run.steps ?? []).map((step: { type: string; status: string; detail?: string }, i: number) => (
                      <div key={i}>
                        {step.type}: <Tag tone={statusTone(step.status === 'done' ? 'completed' : step.status)}>{step.status}</Tag> {step.detail ?? ''}
                      </div>
                    ))}
                  </>
                ),
                className: 'small',
              },
            ]}
          />
        </Section>
      </div>
    </div>
  );
}
