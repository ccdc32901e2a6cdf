// The variables of `@{set}` and `@{for}`: a block sees its own and those of the blocks around it. The
// checker keeps their types in scopes, the renderer their values.

export class Scope<T> {
  readonly variables = new Map<string, T>();

  constructor(readonly parent: Scope<T> | null) {}

  /** The innermost scope that has the variable. */
  find(name: string): Scope<T> | null {
    for (let scope: Scope<T> | null = this; scope; scope = scope.parent) {
      if (scope.variables.has(name)) return scope;
    }
    return null;
  }
}
