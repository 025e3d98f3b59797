export const VIEWS = ['phone', 'contacts', 'notes', 'history', 'team', 'settings', 'agenda', 'firms'] as const;
export type View = (typeof VIEWS)[number];

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
