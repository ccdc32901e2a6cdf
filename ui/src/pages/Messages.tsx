// The SMS log: failed messages first, then the rest, newest first, with attempts and errors.
import type { PageProps } from '../App.tsx';
import { get, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { href, navigate } from '../router.ts';
import { ErrorBox, Loading, statusTone, Tag, useLoad } from '../ui.tsx';

interface Message {
  id: string;
  customerId: number | null;
  phone: string;
  text: string;
  mailing: string | null;
  connection: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
}

const STATUSES = ['failed', 'queued', 'sending', 'sent', 'delivered'];

export function MessagesPage({ params }: PageProps) {
  const { t, dateTime } = useI18n();
  const status = params.get('status') ?? '';
  const { data, error, loading } = useLoad(async () => {
    if (status) return (await get<{ items: Message[] }>(`/api/admin/messages${query({ status, limit: 200 })}`)).items;
    const [failed, all] = await Promise.all([
      get<{ items: Message[] }>(`/api/admin/messages${query({ status: 'failed', limit: 100 })}`),
      get<{ items: Message[] }>(`/api/admin/messages${query({ limit: 200 })}`),
    ]);
    return [...failed.items, ...all.items.filter((m) => m.status !== 'failed')];
  }, [status]);
  return (
    <div className="page">
      <h1>{t('messages')}</h1>
      <div className="filters">
        <label>
          {t('status')}
          <select value={status} onChange={(e) => navigate('/messages', { status: e.target.value })}>
            <option value="">{t('failedFirst')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={error} />
      <Loading when={loading && !data}>
        {data && data.length === 0 && <p className="muted">{t('noData')}</p>}
        {data && data.length > 0 && (
          <table className="list messages">
            <thead>
              <tr>
                <th>{t('when')}</th>
                <th>{t('status')}</th>
                <th>{t('phone')}</th>
                <th>{t('mailing')}</th>
                <th>{t('attempts')}</th>
                <th>{t('error')}</th>
                <th>{t('guest')}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((m) => (
                <tr key={m.id} className={m.status === 'failed' ? 'row-bad' : ''}>
                  <td>{dateTime(m.createdAt)}</td>
                  <td>
                    <Tag tone={statusTone(m.status)}>{t(m.status)}</Tag>
                  </td>
                  <td>{m.phone}</td>
                  <td title={m.text}>{m.mailing ?? '—'}</td>
                  <td className="num">{m.attempts}</td>
                  <td className="small">{m.lastError ?? ''}</td>
                  <td>{m.customerId ? <a href={href(`/guests/${m.customerId}`)}>#{m.customerId}</a> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loading>
    </div>
  );
}
