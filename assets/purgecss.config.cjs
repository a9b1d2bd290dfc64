// PurgeCSS for portal.css (run by scripts/build_assets.sh after sass): only the rules whose classes,
// ids and elements the portal can put on a page reach the browser. Bootstrap Italia's subset compiles
// to ~240 KB, of which the portal uses about a tenth; the rest would block every first paint.
//
// A selector is kept when its words appear in what renders pages: the templates, the Python that
// builds markup, the portal's own scripts. A class that a template builds from a prefix
// (class="state-{{ card.state.value }}") cannot be found as a word: every such prefix is read from
// the templates below and all of its selectors are kept, so a new one needs no edit here
// (tests/web/test_assets.py checks that each still reaches portal.css).
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const templates = path.join(root, 'portal', 'templates');

function filesUnder(dir, suffix) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

// "state-" from class="campaign-state state-{{ card.state.value }}"
function dynamicClassPrefixes() {
  const prefixes = new Set();
  for (const file of filesUnder(templates, '.html')) {
    const html = fs.readFileSync(file, 'utf8');
    for (const attribute of html.matchAll(/class="([^"]*)"/g)) {
      for (const match of attribute[1].matchAll(/([A-Za-z][\w-]*-)\{\{/g)) prefixes.add(match[1]);
    }
  }
  return [...prefixes].sort();
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

module.exports = {
  content: [
    'portal/templates/**/*.html',
    'portal/**/*.py',
    'portal/static/js/*.js',
  ],
  css: ['portal/static/css/portal.css'],
  // Words with ":" or "/" stay whole; the default extractor would keep far less of the templates.
  defaultExtractor: (content) => content.match(/[\w-]+/g) || [],
  safelist: {
    standard: [
      // htmx's own classes, set while a request runs or a swap settles.
      /^htmx-/,
      // The tags that sanitised rich text may hold (portal/rich_text.py TAGS).
      'p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'h3', 'blockquote',
      ...dynamicClassPrefixes().map((prefix) => new RegExp(`^${escape(prefix)}`)),
    ],
  },
  // @font-face and custom properties are kept whole: the fonts are chosen by family name.
  fontFace: false,
  keyframes: true,
  variables: false,
  dynamicClassPrefixes,
};
