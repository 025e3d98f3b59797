import type { IdentityRole } from '../../../protocol/index.js';

export const VIEWS = ['phone', 'contacts', 'notes', 'history', 'team', 'settings', 'agenda', 'firms', 'post', 'intake'] as const;
export type View = (typeof VIEWS)[number];

/**
 * The screens a role has, in the nav's order (Alt+1 … on this list): the craftsman reads his firm's
 * mail on "Post", the office files it on "Posteingang"; without an identity neither is there.
 */
export function viewsFor(role: IdentityRole | undefined): View[] {
  return VIEWS.filter((view) => {
    if (view === 'post') return role === 'craftsman';
    if (view === 'intake') return role === 'teleworker' || role === 'lead';
    return true;
  });
}

function fromHash(): View {
  const name = location.hash.replace(/^#\/?/, '');
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : 'phone';
}

/** The visible screen, mirrored in the URL hash so reloads and back/forward keep the place. */
export const navigation = $state({ view: fromHash() });

export function go(view: View): void {
  navigation.view = view;
  if (location.hash !== `#/${view}`) history.pushState(null, '', `#/${view}`);
}

window.addEventListener('popstate', () => {
  navigation.view = fromHash();
});
