import type { EventBus } from '../../src/main/services/events/event-bus';
import type { RunOverrides } from '../../src/main/services/sessions/session-book';
import { AIGO_STOPPED_ERROR } from '../../src/main/services/sessions/session-service';
import type { SquadSessions } from '../../src/main/services/squads/squad-service';
import type { Session, SessionDetail, TranscriptItem } from '../../src/shared/schemas/sessions';

interface FakeSession {
  session: Session;
  prompts: string[];
  steering: string[];
  overrides: RunOverrides[];
  transcript: TranscriptItem[];
  closed: number;
}

/**
 * Agent sessions as squads see them, ended by the test: `finish(id, 'succeeded', answer)` ends a
 * run with that answer, as a real session's `session.updated` would announce it.
 */
export class FakeSquadSessions implements SquadSessions {
  readonly all = new Map<string, FakeSession>();
  private n = 0;

  constructor(private readonly bus: EventBus) {}

  async create(input: {
    group: string;
    prompt: string;
    trigger: 'squad';
    overrides: RunOverrides;
  }): Promise<Session> {
    const id = `20261129-000000-${(++this.n).toString(16).padStart(4, '0')}`;
    const now = new Date().toISOString();
    const fake: FakeSession = {
      session: {
        id,
        group: input.group,
        groupName: input.group,
        title: input.prompt.slice(0, 80),
        state: 'queued',
        trigger: input.trigger,
        chatJid: null,
        createdAt: now,
        updatedAt: now,
        container: null,
        queuePosition: 1,
        runs: 0,
        lastStatus: null,
        error: null,
        progress: { turn: 0, toolCalls: 0, activity: null },
      },
      prompts: [input.prompt],
      steering: [],
      overrides: [input.overrides],
      transcript: [],
      closed: 0,
    };
    this.all.set(id, fake);
    this.setState(fake, { state: 'running' });
    return fake.session;
  }

  async message(id: string, text: string, overrides?: RunOverrides): Promise<Session> {
    const fake = this.require(id);
    if (fake.session.state === 'ended') {
      fake.prompts.push(text);
      if (overrides) fake.overrides.push(overrides);
      this.setState(fake, { state: 'running', lastStatus: null, error: null });
    } else fake.steering.push(text);
    return fake.session;
  }

  async close(id: string): Promise<Session> {
    const fake = this.require(id);
    fake.closed++;
    // As a real one: the agent finishes its step, then the run ends cancelled.
    queueMicrotask(() => this.finish(id, 'cancelled'));
    return fake.session;
  }

  async get(id: string): Promise<SessionDetail> {
    const fake = this.require(id);
    return { ...fake.session, transcript: fake.transcript };
  }

  peek(id: string): Session | null {
    return this.all.get(id)?.session ?? null;
  }

  /** Ends the session's current run. */
  finish(
    id: string,
    status: NonNullable<Session['lastStatus']>,
    answer = '',
    extra: TranscriptItem[] = [],
  ): void {
    const fake = this.require(id);
    if (fake.session.state === 'ended') return;
    const time = new Date().toISOString();
    fake.transcript.push(
      {
        id: `${id}-p${fake.prompts.length}`,
        kind: 'user',
        text: fake.prompts.at(-1) ?? '',
        source: 'prompt',
        time,
      },
      ...extra,
      ...(answer
        ? [
            {
              id: `${id}-a${fake.prompts.length}`,
              kind: 'assistant' as const,
              text: answer,
              turn: 1,
              time,
            },
          ]
        : []),
    );
    this.setState(fake, {
      state: 'ended',
      lastStatus: status,
      error: status === 'failed' ? 'The container exited with code 1.' : null,
    });
  }

  /** What SessionService.start does to a session that ran when aigo stopped. */
  interrupted(id: string): void {
    const fake = this.require(id);
    this.setState(fake, { state: 'ended', lastStatus: 'failed', error: AIGO_STOPPED_ERROR });
  }

  /** Sessions that run now, by the text their prompt starts with. */
  running(): FakeSession[] {
    return [...this.all.values()].filter((f) => f.session.state !== 'ended');
  }

  /** The session whose first prompt holds `marker`. */
  find(marker: string): FakeSession {
    const found = [...this.all.values()].find((f) => f.prompts[0]?.includes(marker));
    if (!found) throw new Error(`no session with ${marker}`);
    return found;
  }

  private setState(fake: FakeSession, patch: Partial<Session>): void {
    fake.session = { ...fake.session, ...patch, updatedAt: new Date().toISOString() };
    this.bus.emit('session.updated', fake.session);
  }

  private require(id: string): FakeSession {
    const fake = this.all.get(id);
    if (!fake) throw new Error(`no session ${id}`);
    return fake;
  }
}
