/**
 * A node's icon as Node-RED draws it in the node's icon band: one of Node-RED's own icon files (`inject.svg`, white on
 * the band) or a Font Awesome 4 icon (`font-awesome/fa-bell`). Both come from the installed Node-RED packages and
 * are bundled at build time, so the page loads nothing from elsewhere. An icon not found draws nothing.
 */
import '../../node_modules/@node-red/editor-client/public/vendor/font-awesome/css/font-awesome.min.css';

const ICON_DIR = '../../node_modules/@node-red/nodes/icons/';
const nodeRedIcons = import.meta.glob<string>('../../node_modules/@node-red/nodes/icons/*.svg', { query: '?url', import: 'default', eager: true });

/** The URL of a Node-RED icon file, when the runtime ships it. */
export function nodeRedIconUrl(icon: string): string | undefined {
  return nodeRedIcons[`${ICON_DIR}${icon.replace(/^node-red\//, '')}`];
}

/** The icon `icon` (a definition's `icon`), sized for a node of height ~30 px or the palette. */
export function NodeIcon({ icon, size = 16 }: { icon: string | undefined; size?: number }) {
  if (!icon) return null;
  if (icon.startsWith('font-awesome/')) {
    return <i aria-hidden className={`fa ${icon.slice('font-awesome/'.length)} text-white`} style={{ fontSize: size * 0.85 }} data-icon={icon} />;
  }
  const url = nodeRedIconUrl(icon);
  return url ? <img alt="" aria-hidden src={url} width={size} height={size} draggable={false} data-icon={icon} /> : null;
}
