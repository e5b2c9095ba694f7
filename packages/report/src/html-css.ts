/** The post-mortem's style sheet (one inline block, admitted by its hash in the page's CSP). */
export const CSS = `
:root{--fg:#1d2125;--muted:#5f6b76;--line:#d8dee4;--crit:#c92a2a;--warn:#e67700;--ok:#2b8a3e;--bg:#fff}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:16px 24px;max-width:1400px}
h1{font-size:20px;margin:0 0 2px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}
.meta{color:var(--muted);font-size:13px;margin:4px 0}
.first{display:grid;grid-template-columns:minmax(240px,300px) minmax(0,1fr);gap:20px;align-items:start}
.first .tl-device h2{margin-top:0}
@media (max-width:900px){.first{grid-template-columns:1fr}}
.verdict{border-left:6px solid var(--ok);background:#f1f8f3;padding:10px 14px;margin:8px 0;font-size:15px;font-weight:600}
.verdict.critical{border-color:var(--crit);background:#fdf0f0}.verdict.warning{border-color:var(--warn);background:#fff6e8}
ol.top{margin:8px 0;padding-left:0;list-style:none;font-size:13px}ol.top li{margin:0 0 8px}
.finding{border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:12px 0}
.badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 6px;border-radius:3px;color:#fff;margin-right:6px;vertical-align:1px}
.badge.critical{background:var(--crit)}.badge.warning{background:var(--warn)}.badge.info{background:#5f6b76}
.attr{font-size:12px;font-weight:400;color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 4px;margin-left:6px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:0 3px;border-radius:3px}
ul.steps{margin:4px 0 0 18px;padding:0}
.tl-host{width:100%;min-height:40px}
.tl-tools{display:flex;gap:6px;align-items:center;margin:4px 0;font-size:12px}
.tl-tools button{font:12px system-ui,sans-serif;padding:1px 8px;border:1px solid var(--line);border-radius:4px;background:#f6f8fa;cursor:pointer}
.tl-range{color:var(--muted);margin-left:8px;font-variant-numeric:tabular-nums}
.uplot{font:11px system-ui,sans-serif;margin-bottom:2px}.uplot .u-title{font-size:12px;font-weight:700;text-align:left;padding-left:60px}
.u-legend{font-size:11px;text-align:left;padding-left:56px}.u-legend .u-series{padding:0 6px 0 0}
.u-over{overflow:hidden}
.win{position:absolute;top:0;bottom:0;background:rgba(201,42,42,.07);border-left:2px dashed var(--crit);border-right:2px dashed var(--crit);pointer-events:none}
.win.sev-warning{background:rgba(230,119,0,.07);border-color:var(--warn)}.win.sev-info{background:rgba(95,107,118,.06);border-color:#5f6b76}
.win.focus{background:rgba(201,42,42,.16)}
.win-label{position:absolute;left:3px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font:600 11px system-ui,sans-serif;color:var(--crit);background:rgba(255,255,255,.85);padding:0 3px}
.win.sev-warning .win-label{color:var(--warn)}.win.sev-info .win-label{color:#5f6b76}
svg.timeline{display:block;max-width:100%;height:auto;border:1px solid var(--line);border-radius:4px}
`;
