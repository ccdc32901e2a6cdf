// The project configuration: every entity readable by kind, export, and a safe change: upload a file,
// see what would be created and changed (a dry run) and what it would do to the guests and the money (the
// simulation), then apply (an owner or a marketer; the server refuses a marketer's change of the installation).
import { useState, type ChangeEvent } from 'react';
import type { PageProps } from '../router.ts';
import { get, post } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { ErrorBox, Json, Loading, Section, Tag, useLoad } from '../ui.tsx';
import { ProgramEditor } from './ProgramEditor.tsx';
import { Effect } from './Simulation.tsx';

type ProjectFile = Record<string, unknown>;

interface Change {
  id: string;
  kind: string;
  key: string;
  status: 'created' | 'changed' | 'unchanged';
  before: unknown;
  after: unknown;
}

type Plan = { ok: true; created: string[]; changed: string[]; unchanged: string[]; changes: Change[] } | { ok: false; problems: { path: string; message: string }[] };

const entityName = (entity: Record<string, unknown>) => String(entity.systemName ?? entity.externalId ?? '');

/** A proposed file (uploaded or written by the editor): what it would change, its effect, and apply. */
function Proposal({ content, fileName, levels, onApplied }: { content: string; fileName: string; levels: string[]; onApplied: (version: number) => void }) {
  const { t } = useI18n();
  const { data: plan, error: planError } = useLoad(() => post<Plan>('/api/admin/project/plan', { content }), [content]);
  const [error, setError] = useState<Error | null>(null);
  const apply = async () => {
    setError(null);
    try {
      const report = await post<{ version: number }>('/api/admin/project/apply', { content });
      onApplied(report.version);
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const pending = plan?.ok ? plan.changes.filter((c) => c.status !== 'unchanged') : [];
  return (
    <>
      <ErrorBox error={planError ?? error} />
      {plan && !plan.ok && (
        <div className="error">
          <b>{t('problems')}</b>
          <ul>
            {plan.problems.map((p, i) => (
              <li key={i}>
                <code>{p.path}</code> {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan?.ok && (
        <div className="plan">
          <h3>
            {t('planTitle')}: {fileName}
          </h3>
          <p>
            <Tag tone="good">
              {t('created')}: {plan.created.length}
            </Tag>{' '}
            <Tag tone="warn">
              {t('changed')}: {plan.changed.length}
            </Tag>{' '}
            <Tag>
              {t('unchanged')}: {plan.unchanged.length}
            </Tag>
          </p>
          {pending.map((change) => (
            <details key={change.id} open className={`change change-${change.status}`}>
              <summary>
                <Tag tone={change.status === 'created' ? 'good' : 'warn'}>{t(change.status)}</Tag> <code>{change.id}</code>
              </summary>
              <div className="grid2">
                <div>
                  <h4>{t('before')}</h4>
                  {change.before ? <Json value={change.before} /> : <p className="muted">—</p>}
                </div>
                <div>
                  <h4>{t('after')}</h4>
                  <Json value={change.after} />
                </div>
              </div>
            </details>
          ))}
          {pending.length > 0 && <Effect key={content} content={content} levels={levels} />}
          <button type="button" className="apply" onClick={apply} disabled={pending.length === 0}>
            {t('applyProject')}
          </button>
        </div>
      )}
    </>
  );
}

/** A change to the project: a file uploaded, or the program edited in forms; then the proposal. */
function Change({ project, levels, onApplied }: { project: ProjectFile; levels: string[]; onApplied: () => void }) {
  const { t } = useI18n();
  const [proposal, setProposal] = useState<{ content: string; fileName: string } | null>(null);
  const [editing, setEditing] = useState(false);
  const [applied, setApplied] = useState<number | null>(null);

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setApplied(null);
    setProposal({ content: await file.text(), fileName: file.name });
  };
  return (
    <Section title={t('changeProject')}>
      <p>
        <label>
          {t('uploadProject')} <input type="file" accept=".yaml,.yml,.json" onChange={choose} aria-label={t('uploadProject')} />
        </label>{' '}
        <button type="button" className="link edit-program" onClick={() => setEditing(!editing)}>
          {t('editProgram')}
        </button>
      </p>
      {editing && (
        <ProgramEditor
          project={project}
          onPropose={(content) => {
            setApplied(null);
            setProposal({ content, fileName: t('programForm') });
          }}
        />
      )}
      {applied !== null && (
        <p className="good">
          {t('applied')} {applied}
        </p>
      )}
      {proposal && (
        <Proposal
          key={proposal.content}
          {...proposal}
          levels={levels}
          onApplied={(version) => {
            setApplied(version);
            setProposal(null);
            setEditing(false);
            onApplied();
          }}
        />
      )}
    </Section>
  );
}

/** The segments a level scenario sets the Rank on entering (the preset's RankGold …), for a sample bill. */
function levelSegments(project: ProjectFile | null): string[] {
  const scenarios = (project?.scenarios ?? []) as { trigger: { event: string; segments?: string[] }; branches: { steps: { type: string; field?: string }[] }[] }[];
  const rank = scenarios.find((s) => s.trigger.event === 'enteredSegment' && s.branches.some((b) => b.steps.some((step) => step.type === 'setCustomField' && step.field === 'Rank')));
  return rank?.trigger.segments ?? [];
}

export function ProjectPage({ user, params }: PageProps) {
  const { t } = useI18n();
  const { data, error, reload } = useLoad(() => get<ProjectFile>('/api/admin/project'), []);
  const kinds = data ? Object.keys(data).filter((kind) => kind !== 'version') : [];
  const kind = params.get('kind') ?? 'settings';
  return (
    <div className="page">
      <h1>{t('project')}</h1>
      <p className="actions">
        <a className="button" href="/api/admin/project/export?format=yaml" download>
          {t('exportYaml')}
        </a>{' '}
        <a className="button" href="/api/admin/project/export?format=json" download>
          {t('exportJson')}
        </a>
      </p>
      {user.role === 'viewer' ? <p className="muted">{t('ownerOnly')}</p> : data && <Change project={data} levels={levelSegments(data)} onApplied={reload} />}
      <ErrorBox error={error} />
      <Loading when={!data && !error}>
        {data && (
          <div className="tabs-layout">
            <nav className="tabs">
              {kinds.map((name) => (
                <a key={name} href={`#/project?kind=${name}`} className={name === kind ? 'active' : ''}>
                  {name} {Array.isArray(data[name]) ? <span className="muted">{(data[name] as unknown[]).length}</span> : null}
                </a>
              ))}
            </nav>
            <div className="tab-body">
              {Array.isArray(data[kind]) ? (
                (data[kind] as Record<string, unknown>[]).map((entity, i) => (
                  <details key={i} className="entity">
                    <summary>
                      <code>{entityName(entity)}</code> {String(entity.name ?? entity.type ?? '')}
                    </summary>
                    <Json value={entity} />
                  </details>
                ))
              ) : (
                <Json value={data[kind]} />
              )}
            </div>
          </div>
        )}
      </Loading>
    </div>
  );
}
