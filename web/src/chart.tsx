// A uPlot time-series chart that is created once and fed new data, never rebuilt (uPlot redraws a canvas;
// nothing a client sent is ever turned into markup here).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
}

const COLORS = ['#1f5fbf', '#b3400b', '#2e7d32', '#6a1b9a'];

export function Chart(props: {
  title: string;
  series: Series[] | string[];
  /** [times in seconds, ...one array per series] */
  data: number[][];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const series: Series[] = props.series.map((s, i) =>
    typeof s === 'string' ? { label: s, color: COLORS[i % COLORS.length] as string } : s,
  );
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const width = (): number => Math.max(200, element.clientWidth);
    const chart = new uPlot(
      {
        width: width(),
        height: props.height ?? 160,
        legend: { show: false },
        cursor: { show: false },
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5 }))],
        axes: [{ stroke: '#333' }, { stroke: '#333', size: 60 }],
      },
      props.data as uPlot.AlignedData,
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: props.height ?? 160 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [series.length]);
  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);
  return (
    <figure class="chart">
      <figcaption>
        {props.title}
        {series.length > 1 &&
          series.map((s) => (
            <span class="key" key={s.label}>
              <span
                class="swatch"
                ref={(el) => {
                  if (el !== null) el.style.background = s.color;
                }}
              />
              {s.label}
            </span>
          ))}
      </figcaption>
      <div ref={box} role="img" aria-label={`${props.title} chart`} />
    </figure>
  );
}
