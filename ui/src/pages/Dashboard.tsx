// How the program performs: guests, orders, points, ranks and SMS per day, for a date range and a venue.
import { useState, type FormEvent } from 'react';
import { get, query } from '../api.ts';
import { BarChart, HorizontalBars, LineChart } from '../charts.tsx';
import { useI18n } from '../i18n.tsx';
import { href, navigate, type PageProps } from '../router.ts';
import { ErrorBox, Loading, useLoad } from '../ui.tsx';

interface Dashboard {
  from: string;
  to: string;
  venues: string[];
  guests: { before: number; perDay: { day: string; new: number; total: number }[] };
  orders: { perDay: { day: string; orders: number; withGuest: number; anonymous: number; revenue: number; revenueWithGuest: number; revenueAnonymous: number }[] } | null;
  pointOfContact: string | null;
  /** with a venue, `expired` is null: expiries belong to no order */
  points: { balanceType: string; perDay: { day: string; earned: number; spent: number; expired: number | null }[] } | null;
  ranks: { rank: string | null; guests: number }[];
  messages: { perDay: { day: string; sent: number; delivered: number; failed: number }[] } | null;
  /** the series the venue filter narrowed */
  narrowedByVenue: string[];
  /** jobs and async calls parked now, whatever the dates */
  parkedWork: number;
  walletPasses: number | null;
  googleWalletPasses: number | null;
}

const RANK_COLORS: Record<string, string> = { Gold: '#d4a017', Silver: '#9ca3af', Bronze: '#b87333' };

export function DashboardPage({ params }: PageProps) {
  const { t, number } = useI18n();
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const venue = params.get('venue') ?? '';
  const { data, error, loading } = useLoad(() => get<Dashboard>(`/api/admin/dashboard${query({ from, to, pointOfContact: venue })}`), [from, to, venue]);
  const [form, setForm] = useState({ from, to, venue });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate('/dashboard', form);
  };
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  /** a chart the venue narrows says so in its title */
  const atVenue = (title: string) => (data?.pointOfContact ? `${title} · ${data.pointOfContact}` : title);

  return (
    <div className="page">
      <h1>{t('dashboard')}</h1>
      <form className="filters" onSubmit={submit}>
        <label>
          {t('from')}
          <input type="date" value={form.from || data?.from || ''} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          {t('to')}
          <input type="date" value={form.to || data?.to || ''} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <label>
          {t('venue')}
          <select value={form.venue} onChange={(e) => setForm({ ...form, venue: e.target.value })}>
            <option value="">{t('allVenues')}</option>
            {(data?.venues ?? []).map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <button type="submit">{t('apply')}</button>
      </form>
      <ErrorBox error={error} />
      <Loading when={loading && !data}>
        {data && (
          <>
            {data.narrowedByVenue.length > 0 && <p className="muted venue-note">{t('venueNarrows')}</p>}
            <div className="cards">
              {data.parkedWork > 0 && (
                <a className="card parked-work" href={href('/jobs')}>
                  <span>{t('parkedWorkCount')}</span>
                  <b className="bad">{number(data.parkedWork)}</b>
                </a>
              )}
              <div className="card">
                <span>{t('guestsTotal')}</span>
                <b>{number(data.guests.perDay.at(-1)?.total ?? data.guests.before)}</b>
              </div>
              <div className="card">
                <span>{t('newGuests')}</span>
                <b>{number(sum(data.guests.perDay.map((d) => d.new)))}</b>
              </div>
              {data.orders && (
                <div className="card">
                  <span>{t('orders')}</span>
                  <b>{number(sum(data.orders.perDay.map((d) => d.orders)))}</b>
                </div>
              )}
              {data.points && (
                <div className="card">
                  <span>
                    {data.points.balanceType}: {t('earned')} / {t('spent')}
                  </span>
                  <b>
                    {number(sum(data.points.perDay.map((d) => d.earned)))} / {number(sum(data.points.perDay.map((d) => d.spent)))}
                  </b>
                </div>
              )}
              {data.walletPasses !== null && (
                <div className="card">
                  <span>{t('walletPasses')}</span>
                  <b>{number(data.walletPasses)}</b>
                </div>
              )}
              {data.googleWalletPasses !== null && (
                <div className="card">
                  <span>{t('googleWalletPasses')}</span>
                  <b>{number(data.googleWalletPasses)}</b>
                </div>
              )}
              {data.messages && (
                <div className="card">
                  <span>SMS {t('failed')}</span>
                  <b className={sum(data.messages.perDay.map((d) => d.failed)) > 0 ? 'bad' : ''}>{number(sum(data.messages.perDay.map((d) => d.failed)))}</b>
                </div>
              )}
            </div>
            <div className="charts">
              <LineChart title={t('guestsPerDay')} days={data.guests.perDay.map((d) => d.day)} series={[{ label: t('guestsTotal'), color: '#2563eb', values: data.guests.perDay.map((d) => d.total) }]} />
              <BarChart title={t('newGuests')} days={data.guests.perDay.map((d) => d.day)} series={[{ label: t('newGuests'), color: '#10b981', values: data.guests.perDay.map((d) => d.new) }]} />
              {data.orders ? (
                <>
                  <BarChart
                    stacked
                    title={atVenue(t('ordersPerDay'))}
                    days={data.orders.perDay.map((d) => d.day)}
                    series={[
                      { label: t('withGuest'), color: '#2563eb', values: data.orders.perDay.map((d) => d.withGuest) },
                      { label: t('anonymous'), color: '#cbd5e1', values: data.orders.perDay.map((d) => d.anonymous) },
                    ]}
                  />
                  <BarChart
                    stacked
                    title={atVenue(t('revenuePerDay'))}
                    days={data.orders.perDay.map((d) => d.day)}
                    series={[
                      { label: t('withGuest'), color: '#7c3aed', values: data.orders.perDay.map((d) => d.revenueWithGuest) },
                      { label: t('anonymous'), color: '#ddd6fe', values: data.orders.perDay.map((d) => d.revenueAnonymous) },
                    ]}
                  />
                </>
              ) : (
                <figure className="chart empty">
                  <figcaption>{t('ordersPerDay')}</figcaption>
                  <p className="muted">{t('notRecordedYet')}</p>
                </figure>
              )}
              {data.points && (
                <BarChart
                  title={atVenue(`${t('pointsPerDay')} (${data.points.balanceType})`)}
                  days={data.points.perDay.map((d) => d.day)}
                  series={[
                    { label: t('earned'), color: '#16a34a', values: data.points.perDay.map((d) => d.earned) },
                    { label: t('spent'), color: '#f59e0b', values: data.points.perDay.map((d) => d.spent) },
                    ...(data.pointOfContact ? [] : [{ label: t('expired'), color: '#ef4444', values: data.points.perDay.map((d) => d.expired ?? 0) }]),
                  ]}
                />
              )}
              <HorizontalBars
                title={t('rankDistribution')}
                items={data.ranks.map((r) => ({ label: r.rank ?? t('noRank'), value: r.guests, color: RANK_COLORS[r.rank ?? ''] ?? '#94a3b8' }))}
              />
              {data.messages ? (
                <BarChart
                  title={t('smsPerDay')}
                  days={data.messages.perDay.map((d) => d.day)}
                  series={[
                    { label: t('sent'), color: '#60a5fa', values: data.messages.perDay.map((d) => d.sent) },
                    { label: t('delivered'), color: '#22c55e', values: data.messages.perDay.map((d) => d.delivered) },
                    { label: t('failed'), color: '#ef4444', values: data.messages.perDay.map((d) => d.failed) },
                  ]}
                />
              ) : (
                <figure className="chart empty">
                  <figcaption>{t('smsPerDay')}</figcaption>
                  <p className="muted">{t('notRecordedYet')}</p>
                </figure>
              )}
            </div>
          </>
        )}
      </Loading>
    </div>
  );
}
