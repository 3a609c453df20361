import './govuk.scss';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App.tsx';
import { SessionProvider } from './auth/session.tsx';

// GOV.UK styles some components differently once script is known to run; this
// replaces the inline script in their page template, which our CSP would block.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <App />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
