/**
 * Objects keyed by text from outside (a server's cookie names, row names, stored ids) must
 * treat `__proto__` as a key like any other: assigned as an own data property, never as the
 * object's prototype. Other prototype names (`constructor`, `toString`) are plain assignments.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}
