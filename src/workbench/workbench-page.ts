/** The Workbench's HTML shell; the app script builds the interface into `#workbench`. */
export function workbenchPage(version: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light">
<title>darkroom Workbench</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/workbench/app.css?v=${version}">
<script type="module" src="/workbench/app.js?v=${version}"></script>
</head>
<body>
<div id="workbench" class="workbench" aria-busy="true"><p class="boot">Loading the Workbench…</p></div>
<noscript><p class="boot">The Workbench needs JavaScript. The API itself works without it: see <a href="/api/ai/models">/api/ai/models</a>.</p></noscript>
</body>
</html>
`;
}
