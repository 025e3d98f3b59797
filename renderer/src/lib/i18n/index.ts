import { addMessages, init, locale } from 'svelte-i18n';
import type { Language } from '../../../../protocol/index.js';
import de from './messages/de.json';
import en from './messages/en.json';

addMessages('de', de);
addMessages('en', en);
// German first: the users are German craft businesses and their office service.
void init({ fallbackLocale: 'de', initialLocale: 'de' });

export function setLanguage(language: Language): void {
  void locale.set(language);
  document.documentElement.lang = language;
}

export { _ as t, locale } from 'svelte-i18n';
