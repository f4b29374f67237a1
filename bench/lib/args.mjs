// Command line of `npm run bench`.
export const USAGE = `npm run bench -- [options]
  --quick             one short round (development; not for the README)
  --rounds N          rounds of A B C alternation (default 3)
  --only a,b          only these scenarios (names as in the table, e.g. qos0,fanout-100)
  --brokers a,b       only these brokers (midge, mosquitto, aedes)
  --duration MS       measured window per run (default 3000; --quick 1000)
  --no-sink           skip the calibration runs against the trivial forwarder
  --cpu-prof DIR      run Midge under node --cpu-prof, profiles into DIR
  --baseline DIST     also measure another Midge build (a copy of dist/) as "baseline", for before/after
  --out FILE          results file (default bench/results/<date>.json; --quick writes none unless given)
  --help`;

export function parseArgs(argv) {
  const options = {
    quick: false,
    rounds: 3,
    only: undefined,
    brokers: undefined,
    durationMs: undefined,
    sink: true,
    cpuProfileDir: undefined,
    baseline: undefined,
    out: undefined,
    help: false,
  };
  const list = (value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--only') options.only = list(value());
    else if (arg === '--brokers') options.brokers = list(value());
    else if (arg === '--duration') options.durationMs = Number(value());
    else if (arg === '--no-sink') options.sink = false;
    else if (arg === '--cpu-prof') options.cpuProfileDir = value();
    else if (arg === '--baseline') options.baseline = value();
    else if (arg === '--out') options.out = value();
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (options.quick && !argv.includes('--rounds')) options.rounds = 1;
  if (!Number.isInteger(options.rounds) || options.rounds < 1)
    throw new Error('--rounds must be a whole number ≥ 1');
  options.durationMs ??= options.quick ? 1000 : 3000;
  options.warmupMs = options.quick ? 300 : 700;
  return options;
}
