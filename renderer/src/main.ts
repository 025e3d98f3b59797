import { mount } from 'svelte';
import App from './App.svelte';
import './styles/app.css';
import './lib/i18n/index.js';

mount(App, { target: document.getElementById('app')! });
