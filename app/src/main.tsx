import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
// Icons of the navigation and the editor's nodes (Font Awesome 4, as Node-RED's own nodes use it).
import '../../node_modules/@node-red/editor-client/public/vendor/font-awesome/css/font-awesome.min.css';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
