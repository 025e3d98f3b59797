import { mount } from 'svelte';
import App from './App.svelte';
import './styles/app.css';
import './styles/views.css';
import './lib/i18n/index.js';
// Capabilities register their screens into the frame's slots (state/ui-slots.svelte.ts).
import './views/phone/register.js';

mount(App, { target: document.getElementById('app')! });
