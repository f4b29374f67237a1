// The import rules of ../shared/DESIGN.md ("Who may import whom"), checked with the tests.
const LEAVES = '^src/(util|protocol|topic|observability|config)/';
// auth's shared pieces (ACL semantics, password hashes, file errors) are core state that providers build on.
const AUTH_SHARED =
  '^src/auth/(acl|acl-parse|acl-cache|acl-grants|password|password-[a-z0-9]+|file-error|store-error)\\.ts$';
const CORE = `^src/(session|router|sys)/|^src/auth/chain\\.ts$|${AUTH_SHARED}|^src/hooks/runner\\.ts$`;
const ENGINE = '^src/(handlers|client)/';
const IMPLEMENTATIONS =
  '^src/transport/(?!types\\.ts)|^src/store/[^/]+/|^src/auth/providers/|^src/cluster/(?!types\\.ts)|^src/hooks/(webhooks|envelope|device-token|replay-cache)\\.ts$';
const ROOT = '^src/(server|server-[a-z-]+|index)\\.ts$|^src/control/';
const APPS = '^src/(api|cli)/|^web/';
const SEAM = '^src/[^/]+/types\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'leaves-stay-leaves',
      comment: 'util, protocol, topic, observability and config import only lower leaves.',
      severity: 'error',
      from: { path: LEAVES },
      to: { path: '^src/', pathNot: LEAVES },
    },
    {
      name: 'leaf-order',
      comment: 'util < protocol < topic < observability < config: no leaf imports a higher one.',
      severity: 'error',
      from: { path: '^src/(util|protocol|topic|observability)/' },
      to: { path: '^src/config/' },
    },
    {
      name: 'protocol-is-pure',
      severity: 'error',
      from: { path: '^src/(util|protocol)/' },
      to: { path: '^src/(topic|observability|config)/' },
    },
    {
      name: 'seams-are-types',
      comment: 'a types.ts seam imports leaf types and other seams only.',
      severity: 'error',
      from: { path: SEAM },
      to: { path: '^src/', pathNot: [LEAVES, SEAM] },
    },
    {
      name: 'core-state-below-engine',
      severity: 'error',
      from: { path: CORE },
      to: { path: [ENGINE, IMPLEMENTATIONS, ROOT, APPS] },
    },
    {
      name: 'router-never-imports-session',
      severity: 'error',
      from: { path: '^src/router/' },
      to: { path: '^src/session/' },
    },
    {
      name: 'engine-below-root',
      severity: 'error',
      from: { path: ENGINE },
      to: { path: [IMPLEMENTATIONS, ROOT, APPS] },
    },
    {
      name: 'handlers-see-the-world-through-context',
      severity: 'error',
      from: { path: '^src/handlers/', pathNot: '^src/handlers/context\\.ts$' },
      to: { path: '^src/', pathNot: [LEAVES, SEAM, '^src/handlers/'] },
    },
    {
      name: 'implementations-stay-in-their-room',
      severity: 'error',
      from: { path: IMPLEMENTATIONS },
      to: {
        path: '^src/',
        pathNot: [LEAVES, SEAM, AUTH_SHARED, '^src/(transport|store|auth/providers|cluster|hooks)/'],
      },
    },
    {
      name: 'apps-use-the-public-api',
      severity: 'error',
      from: { path: APPS },
      to: { path: '^src/', pathNot: ['^src/index\\.ts$', '^src/(api|cli)/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
