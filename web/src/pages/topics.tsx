// Topics: a live tree of the most recently published topics (level by level), or a search over all of them.
import { useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { usePoll } from '../hooks.js';

export interface TopicInfo {
  topic: string;
  count: number;
  rate: number;
  lastAt: string;
  retained: boolean;
  payload: string;
  size: number;
  truncated: boolean;
}

interface Child {
  level: string;
  path: string;
  topics: number;
  rate: number;
  topic?: TopicInfo;
}

export const topicHref = (topic: string): string => `#/topics/${encodeURIComponent(topic)}`;

function Payload({ info }: { info: TopicInfo }) {
  return (
    <code>
      {info.payload}
      {info.truncated ? ` … (${info.size} bytes)` : ''}
    </code>
  );
}

export function Topics() {
  const [prefix, setPrefix] = useState('');
  const [search, setSearch] = useState('');
  const tree = usePoll(
    () =>
      search === ''
        ? get<{ children: Child[]; tracked: number; capacity: number }>(
            `/api/v1/topics/tree${query({ prefix })}`,
          )
        : Promise.resolve(undefined),
    1000,
    [prefix, search],
  );
  const found = usePoll(
    () =>
      search === ''
        ? Promise.resolve(undefined)
        : get<{ topics: TopicInfo[]; total: number }>(`/api/v1/topics${query({ search, limit: 100 })}`),
    1000,
    [search],
  );
  const levels = prefix === '' ? [] : prefix.split('/');
  return (
    <section>
      <h1>Topics</h1>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="topic-search">Search topics</label>
        <input
          id="topic-search"
          type="search"
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
        />
      </form>
      {tree.error !== '' && <p class="error">{tree.error}</p>}
      {search === '' ? (
        <>
          <nav aria-label="Topic levels" class="crumbs">
            <button type="button" class="link" onClick={() => setPrefix('')}>
              All topics
            </button>
            {levels.map((level, i) => (
              <span key={i}>
                {' / '}
                <button
                  type="button"
                  class="link"
                  onClick={() => setPrefix(levels.slice(0, i + 1).join('/'))}
                >
                  {level === '' ? '(empty)' : level}
                </button>
              </span>
            ))}
          </nav>
          <p class="hint">
            {tree.data === undefined
              ? ''
              : `${tree.data.tracked} topics tracked (the ${tree.data.capacity} most recent)`}
          </p>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Level</th>
                  <th scope="col">Topics</th>
                  <th scope="col">Messages per second</th>
                  <th scope="col">Last payload</th>
                  <th scope="col">Retained</th>
                </tr>
              </thead>
              <tbody>
                {(tree.data?.children ?? []).map((c) => (
                  <tr key={c.path}>
                    <td>
                      {c.topics > (c.topic === undefined ? 0 : 1) && (
                        <button type="button" class="link" onClick={() => setPrefix(c.path)}>
                          {c.level === '' ? '(empty)' : c.level}/
                        </button>
                      )}{' '}
                      {c.topic !== undefined && <a href={topicHref(c.path)}>{c.path}</a>}
                    </td>
                    <td>{c.topics}</td>
                    <td>{c.rate}</td>
                    <td>{c.topic !== undefined && <Payload info={c.topic} />}</td>
                    <td>{c.topic?.retained === true ? 'yes' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Messages per second</th>
                <th scope="col">Last payload</th>
                <th scope="col">Retained</th>
              </tr>
            </thead>
            <tbody>
              {(found.data?.topics ?? []).map((t) => (
                <tr key={t.topic}>
                  <td>
                    <a href={topicHref(t.topic)}>{t.topic}</a>
                  </td>
                  <td>{t.rate}</td>
                  <td>
                    <Payload info={t} />
                  </td>
                  <td>{t.retained ? 'yes' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
