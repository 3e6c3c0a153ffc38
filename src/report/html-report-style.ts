/** The HTML report's whole style sheet, inlined: no font or file is fetched from anywhere. */
export const HTML_REPORT_STYLE = `
:root { color-scheme: light; --fg: #1d2329; --muted: #5f6b76; --line: #d8dde2; --met: #2e8b57; --missed: #c62828; --incomplete: #e08e00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); margin: 0 auto; padding: 24px; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
code, pre, .pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.pre, pre { white-space: pre-wrap; word-break: break-word; }
pre { margin: 4px 0 0; background: #f5f7f9; padding: 6px 8px; border-radius: 4px; max-height: 320px; overflow: auto; }
.description { color: var(--muted); margin: 0 0 12px; white-space: pre-wrap; }
.verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-size: 16px; vertical-align: middle; }
.verdict-met { background: var(--met); } .verdict-missed { background: var(--missed); } .verdict-incomplete { background: var(--incomplete); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; }
.label { display: inline-block; background: #eef1f4; border-radius: 3px; padding: 0 6px; margin: 1px 2px 1px 0; font-family: ui-monospace, monospace; font-size: 12px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 20px; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 170px; }
.figure-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.figure-value { font-size: 24px; font-weight: 600; }
.figure-target { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 5px 8px; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.met .result { color: var(--met); font-weight: 600; } tr.missed .result { color: var(--missed); font-weight: 700; }
.step-failed .status { color: var(--missed); font-weight: 700; } .step-succeeded .status { color: var(--met); }
.step-description { color: var(--muted); font-size: 12.5px; white-space: pre-wrap; }
.error { color: var(--missed); }
.problems { border-left: 4px solid var(--missed); padding-left: 12px; }
.alert { border-left: 4px solid var(--missed); padding: 6px 12px; background: #fdf0f0; }
.note { color: var(--incomplete); }
.lb-timeline { font-size: 11px; font-family: system-ui, sans-serif; }
.lb-timeline .lb-row { fill: var(--fg); } .lb-timeline .lb-section { font-weight: 600; }
.lb-timeline .lb-inbar { fill: #fff; font-size: 10px; pointer-events: none; }
.lb-timeline .lb-tick { fill: var(--muted); } .lb-timeline .lb-vlabel { font-weight: 700; }
.legend { color: var(--muted); font-size: 12px; }
.legend-item { margin-right: 14px; white-space: nowrap; }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; border-radius: 2px; }
.sw-up, .sw-ok { background: #2e8b57; } .sw-down, .sw-failed { background: #c62828; }
.sw-unobserved { background: repeating-linear-gradient(45deg, #ddd 0 3px, #999 3px 5px); }
.sw-acked { background: #7a9; width: 2px; } .sw-lost { background: #c62828; width: 3px; }
.sw-rto { background: rgba(198, 40, 40, .15); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;
