import { RuntimePreferences } from './RuntimePreferences';
import { RuntimeSection } from './RuntimeSection';

export function ContainerPage() {
  return (
    <div className="page" data-testid="page-container">
      <h1>Container</h1>
      <p className="lead">
        Where your agents run. aigo finds Docker (or Podman) and Apple Container by itself and tells
        you what to fix when it can't.
      </p>
      <RuntimeSection />
      <RuntimePreferences />
    </div>
  );
}
