// SMS campaigns: a marketer writes the text (the mailing language: ${Recipient.FirstName} …), picks segments and
// those to leave out, sees who of the audience will get it and who will not and why, the SMS parts and the cost,
// then sends now or at a time; each campaign's page follows its progress and can stop it. Consent, the quiet
// hours and the frequency cap are the server's (docs/campaigns.md).
import { useEffect, useState, type FormEvent } from 'react';
import { get, post, query } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { navigate, type PageProps } from '../router.ts';
import { ErrorBox, Loading, PagedList, Section, statusTone, Tag, useLoad, type Page } from '../ui.tsx';

interface Estimate {
  audience: { total: number; recipients: number; skipped: { noConsent: number; invalidPhone: number; frequencyCap: number } };
  sms: { encoding: 'GSM-7' | 'UCS-2'; minParts: number; maxParts: number; sampled: number };
  cost: { pricePerPart: number; estimate: number } | null;
}

interface Campaign {
  id: number;
  name: string;
  text: string;
  segments: string[];
  excludeSegments: string[];
  status: 'draft' | 'scheduled' | 'sending' | 'finished' | 'cancelled';
  sendAt: string | null;
  estimate: Estimate;
  counts: { queued: number; sent: number; delivered: number; failed: number; skipped: number };
  skippedBy: Record<'noConsent' | 'invalidPhone' | 'frequencyCap' | 'emptyText' | 'stopped', number>;
  resolvingAudience: boolean;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelledBy: string | null;
}

interface Segment {
  systemName: string;
  name: string;
  size: number;
}

const loadCampaigns = (before: Page<Campaign>['next']) => get<Page<Campaign>>(`/api/admin/campaigns${query({ before, limit: 20 })}`);

function campaignTone(status: Campaign['status']) {
  if (status === 'finished') return 'good';
  if (status === 'cancelled') return 'bad';
  return status === 'draft' ? 'plain' : 'warn';
}

export function CampaignsPage({ user }: PageProps) {
  const { t, dateTime, number } = useI18n();
  const mayWrite = user.role !== 'viewer';
  return (
    <div className="page campaigns">
      <h1>{t('campaigns')}</h1>
      <p className="muted">{t('campaignsHint')}</p>
      {mayWrite ? <Compose /> : <p className="muted">{t('viewerReadOnly')}</p>}
      <Section title={t('campaignList')}>
        <PagedList<Campaign>
          className="campaign-list"
          deps={[]}
          load={loadCampaigns}
          empty={t('noCampaigns')}
          rowKey={(campaign) => campaign.id}
          open={(campaign) => `/campaigns/${campaign.id}`}
          columns={[
            { title: t('campaign'), cell: (campaign) => <b>{campaign.name}</b> },
            { title: t('status'), cell: (campaign) => <Tag tone={campaignTone(campaign.status)}>{t(`campaign_${campaign.status}`)}</Tag> },
            { title: t('sendAt'), cell: (campaign) => dateTime(campaign.sendAt ?? campaign.startedAt ?? campaign.createdAt), className: 'small' },
            { title: t('recipients'), cell: (campaign) => number(campaign.estimate.audience.recipients), className: 'num' },
            { title: t('sentCount'), cell: (campaign) => number(campaign.counts.sent + campaign.counts.delivered), className: 'num' },
          ]}
        />
      </Section>
    </div>
  );
}

/** The form: what a campaign says and to whom, its estimate, then send now or at a time. */
function Compose() {
  const { t, number } = useI18n();
  const segments = useLoad(() => get<{ items: Segment[] }>('/api/admin/segments'), []);
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [included, setIncluded] = useState<string[]>([]);
  const [excluded, setExcluded] = useState<string[]>([]);
  const [sendAt, setSendAt] = useState('');
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const body = () => ({ name, text, segments: included, excludeSegments: excluded, ...(sendAt ? { sendAt: new Date(sendAt).toISOString() } : {}) });
  const toggle = (list: string[], set: (next: string[]) => void, name: string) => set(list.includes(name) ? list.filter((item) => item !== name) : [...list, name]);
  // what was estimated no longer holds once the campaign changes
  useEffect(() => setEstimate(null), [name, text, included, excluded, sendAt]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  const estimateIt = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => setEstimate(await post<Estimate>('/api/admin/campaigns/estimate', body())));
  };
  const send = () =>
    run(async () => {
      const created = await post<{ id: number }>('/api/admin/campaigns', body());
      await post(`/api/admin/campaigns/${created.id}/start`);
      navigate(`/campaigns/${created.id}`);
    });

  return (
    <Section title={t('newCampaign')}>
      <form className="compose" onSubmit={estimateIt}>
        <label>
          {t('campaignName')}
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          {t('smsText')}
          <textarea name="text" rows={4} value={text} onChange={(e) => setText(e.target.value)} placeholder="${Recipient.FirstName}, …" required />
        </label>
        <p className="muted small">{t('smsTextHint')}</p>
        <Loading when={!segments.data && !segments.error}>
          <div className="segment-pick">
            <fieldset>
              <legend>{t('sendToSegments')}</legend>
              {segments.data?.items.map((segment) => (
                <label key={segment.systemName} className="check">
                  <input type="checkbox" name="segment" value={segment.systemName} checked={included.includes(segment.systemName)} onChange={() => toggle(included, setIncluded, segment.systemName)} />
                  {segment.name} <span className="muted small">({number(segment.size)})</span>
                </label>
              ))}
            </fieldset>
            <fieldset>
              <legend>{t('leaveOutSegments')}</legend>
              {segments.data?.items.map((segment) => (
                <label key={segment.systemName} className="check">
                  <input type="checkbox" name="exclude" value={segment.systemName} checked={excluded.includes(segment.systemName)} onChange={() => toggle(excluded, setExcluded, segment.systemName)} />
                  {segment.name}
                </label>
              ))}
            </fieldset>
          </div>
        </Loading>
        <label>
          {t('sendAtOptional')}
          <input name="sendAt" type="datetime-local" value={sendAt} onChange={(e) => setSendAt(e.target.value)} />
        </label>
        <ErrorBox error={segments.error ?? error} />
        <div className="actions">
          <button type="submit" className="estimate" disabled={busy || included.length === 0}>
            {t('estimate')}
          </button>
          {estimate && (
            <button type="button" className="send" disabled={busy || estimate.audience.recipients === 0} onClick={send}>
              {sendAt ? t('schedule') : t('sendNow')}
            </button>
          )}
        </div>
      </form>
      {estimate && <EstimateCards estimate={estimate} />}
    </Section>
  );
}

function EstimateCards({ estimate }: { estimate: Estimate }) {
  const { t, number } = useI18n();
  const { audience, sms, cost } = estimate;
  const parts = sms.minParts === sms.maxParts ? number(sms.minParts) : `${number(sms.minParts)}–${number(sms.maxParts)}`;
  return (
    <div className="cards estimate-cards">
      <div className="card audience-total">
        <span>{t('audience')}</span>
        <b>{number(audience.total)}</b>
      </div>
      <div className="card recipients">
        <span>{t('willReceive')}</span>
        <b className="good">{number(audience.recipients)}</b>
      </div>
      <div className="card skipped">
        <span>{t('willNotReceive')}</span>
        <b>{number(audience.total - audience.recipients)}</b>
        <span>
          {t('skip_noConsent')}: {number(audience.skipped.noConsent)} · {t('skip_invalidPhone')}: {number(audience.skipped.invalidPhone)} · {t('skip_frequencyCap')}:{' '}
          {number(audience.skipped.frequencyCap)}
        </span>
      </div>
      <div className="card parts">
        <span>{t('smsParts')}</span>
        <b>{parts}</b>
        <span>{sms.encoding}</span>
      </div>
      <div className="card cost">
        <span>{t('cost')}</span>
        <b>{cost ? number(cost.estimate) : '—'}</b>
        <span>{cost ? `${number(cost.pricePerPart)} ${t('perPart')}` : t('noPrice')}</span>
      </div>
    </div>
  );
}

/** One campaign: its progress, read again every two seconds while it is under way; it can be stopped. */
export function CampaignPage({ user, id }: PageProps & { id: number }) {
  const { t, dateTime, number } = useI18n();
  const { data, error, reload } = useLoad(() => get<Campaign>(`/api/admin/campaigns/${id}`), [id]);
  const [actionError, setActionError] = useState<Error | null>(null);
  const underWay = data?.status === 'scheduled' || data?.status === 'sending';
  useEffect(() => {
    if (!underWay) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [underWay, reload]);
  const cancel = async () => {
    setActionError(null);
    try {
      await post(`/api/admin/campaigns/${id}/cancel`);
      reload();
    } catch (failure) {
      setActionError(failure as Error);
    }
  };
  return (
    <div className="page campaign">
      <p>
        <a href="#/campaigns">← {t('campaigns')}</a>
      </p>
      <ErrorBox error={error ?? actionError} />
      {data && (
        <>
          <h1>
            {data.name} <Tag tone={campaignTone(data.status)}>{t(`campaign_${data.status}`)}</Tag>
          </h1>
          <p className="muted">
            {data.sendAt ? `${t('sendAt')}: ${dateTime(data.sendAt)} · ` : ''}
            {t('createdBy')}: {data.createdBy}, {dateTime(data.createdAt)}
            {data.cancelledBy ? ` · ${t('stoppedBy')}: ${data.cancelledBy}` : ''}
          </p>
          <pre className="sms-text">{data.text}</pre>
          <div className="cards progress">
            {(['queued', 'sent', 'delivered', 'failed', 'skipped'] as const).map((key) => (
              <div key={key} className={`card count-${key}`}>
                <span>{t(`count_${key}`)}</span>
                <b className={statusTone(key) === 'bad' ? 'bad' : statusTone(key) === 'good' ? 'good' : ''}>{number(data.counts[key])}</b>
              </div>
            ))}
          </div>
          {data.counts.skipped > 0 && (
            <p className="muted skipped-by">
              {t('skippedBecause')}:{' '}
              {Object.entries(data.skippedBy)
                .filter(([, count]) => count > 0)
                .map(([reason, count]) => `${t(`skip_${reason}`)} ${number(count)}`)
                .join(' · ')}
            </p>
          )}
          {data.resolvingAudience && <p className="muted">{t('resolvingAudience')}</p>}
          {underWay && user.role !== 'viewer' && (
            <button type="button" className="cancel" onClick={cancel}>
              {t('stopCampaign')}
            </button>
          )}
        </>
      )}
    </div>
  );
}
