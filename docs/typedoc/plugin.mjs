// @ts-check
// The reference site's own TypeDoc plugin (typedoc.json: "plugin"). Five things configuration
// alone cannot do (issue 21, item 3):
//
// 1. Modules are named after their package. An entry point without `@module <name>` (Deno's
//    mod.ts: JSR reads its `@module` comment, which carries no name) would be named by its path
//    ("deno/mod"); it gets its package.json name ("@codex/deno").
// 2. A runtime package's page says that it also exports everything in @codex/core, with a link:
//    with `excludeReferences` the re-exports are no longer listed (or repeated in the sidebar).
// 3. Only the generated types a user meets are documented. `export * from './generated/types.gen'`
//    makes every type the generator emits public, most of them for its own use: per operation
//    `<Op>Data`, `<Op>Error(s)`, `<Op>Response(s)`; parameter twins (`DocumentId2`); wire
//    envelopes (`Error`, `TokenRequest`, `BatchResponse`...). A type of that file is kept when a
//    signature or type of the rest of the documented API refers to it, directly or through other
//    kept types (`Document`, `DocumentCreate`, `BatchOperation`, `ErrorCode`...); the others are
//    left out of the site (they stay exported: this changes no import). A new operation's types
//    are thus left out, and a schema that a method takes or returns appears, without editing this.
// 4. The search box finds members by their dotted names: `documents.list` (as called) and
//    `Documents.list` find the method, not only `list`. TypeDoc indexes names alone.
// 5. `@throws {NotFoundError} 404 — ...` (the generated methods' JSDoc, what editors show on
//    hover) keeps its class name as a link. TypeDoc drops a block tag's leading `{type}` unless
//    the tag is in `preservedTypeAnnotationTags` (typedoc.json), and then prints it as plain text;
//    here it becomes `{@link NotFoundError}`, so that a wrong name fails the build (invalidLink).
import { readFileSync } from 'node:fs';
import {
  Comment,
  ContainerReflection,
  Converter,
  DeclarationReflection,
  IndexEvent,
  makeRecursiveVisitor,
  ParameterReflection,
  ReflectionKind,
  SignatureReflection,
  TypeParameterReflection,
} from 'typedoc';
import ts from 'typescript';

/** The file whose unreferenced types are left out, as TypeDoc names it (package, path in it). */
const GENERATED_TYPES = { packageName: '@codex/core', packagePath: 'src/generated/types.gen.ts' };
const CORE = '@codex/core';

/** @param {import('typedoc').Application} app */
export function load(app) {
  // Before TypeDoc's own resolve-time plugins (grouping, categories, links): priority 200.
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    (context) => {
      const { project } = context;
      nameModulesAfterPackages(project);
      linkToCore(project);
      const left = leaveOutUnreferencedGeneratedTypes(project);
      app.logger.verbose(`Left out ${left.length} generated types no documented API refers to: ${left.join(', ')}`);
      linkThrownClasses(project);
    },
    200,
  );
  app.renderer.on(IndexEvent.PREPARE_INDEX, indexDottedNames);
}

/** @param {import('typedoc').ProjectReflection} project */
function modules(project) {
  return (project.children ?? []).filter((child) => child.kindOf(ReflectionKind.Module));
}

/** @param {import('typedoc').ProjectReflection} project */
function nameModulesAfterPackages(project) {
  for (const module of modules(project)) {
    if (module.name.startsWith('@')) continue; // named by `@module @codex/...`
    const packageName = project.getSymbolIdFromReflection(module)?.packageName;
    if (packageName?.startsWith('@codex/')) module.name = packageName;
  }
}

/**
 * Whether the module's entry file has `export * from '@codex/core'`.
 * @param {import('typedoc').ProjectReflection} project
 * @param {import('typedoc').DeclarationReflection} module
 */
function reexportsCore(project, module) {
  const fileName = project.getSymbolIdFromReflection(module)?.fileName;
  if (!fileName) return false;
  const source = ts.createSourceFile(fileName, readFileSync(fileName, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.some(
    (statement) =>
      ts.isExportDeclaration(statement) &&
      !statement.exportClause &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      statement.moduleSpecifier.text === CORE,
  );
}

/** @param {import('typedoc').ProjectReflection} project */
function linkToCore(project) {
  for (const module of modules(project)) {
    if (module.name === CORE || !reexportsCore(project, module)) continue;
    module.comment ??= new Comment();
    module.comment.summary.push(
      { kind: 'text', text: '\n\nThis package also exports everything in ' },
      { kind: 'inline-tag', tag: '@link', text: `${CORE}! | ${CORE}` },
      {
        kind: 'text',
        text: ' (errors, pages, the types of documents and options): import it all from here. Only what it adds is listed below.',
      },
    );
  }
}

/**
 * @param {import('typedoc').ProjectReflection} project
 * @returns {string[]} the names left out
 */
function leaveOutUnreferencedGeneratedTypes(project) {
  /** @param {import('typedoc').Reflection} reflection */
  const generated = (reflection) => {
    const id = project.getSymbolIdFromReflection(reflection);
    return id?.packageName === GENERATED_TYPES.packageName && id.packagePath === GENERATED_TYPES.packagePath;
  };
  const candidates = modules(project).flatMap((module) => (module.children ?? []).filter(generated));

  /** @type {Set<import('typedoc').Reflection>} */
  const reached = new Set();
  /** @type {import('typedoc').Reflection[]} */
  const queue = modules(project).flatMap((module) => (module.children ?? []).filter((child) => !generated(child)));
  const visitor = makeRecursiveVisitor({
    reference(type) {
      if (type.reflection) queue.push(type.reflection);
    },
    reflection(type) {
      queue.push(type.declaration);
    },
  });
  for (let reflection = queue.shift(); reflection; reflection = queue.shift()) {
    if (reached.has(reflection)) continue;
    reached.add(reflection);
    if (reflection instanceof ContainerReflection) queue.push(...(reflection.children ?? []));
    if (reflection instanceof DeclarationReflection) {
      reflection.type?.visit(visitor);
      for (const type of reflection.extendedTypes ?? []) type.visit(visitor);
      for (const type of reflection.implementedTypes ?? []) type.visit(visitor);
      queue.push(...(reflection.signatures ?? []), ...(reflection.indexSignatures ?? []));
      queue.push(...(reflection.typeParameters ?? []));
      if (reflection.getSignature) queue.push(reflection.getSignature);
      if (reflection.setSignature) queue.push(reflection.setSignature);
    }
    if (reflection instanceof SignatureReflection) {
      reflection.type?.visit(visitor);
      queue.push(...(reflection.parameters ?? []), ...(reflection.typeParameters ?? []));
    }
    if (reflection instanceof ParameterReflection) reflection.type?.visit(visitor);
    if (reflection instanceof TypeParameterReflection) {
      reflection.type?.visit(visitor);
      reflection.default?.visit(visitor);
    }
  }

  const left = candidates.filter((reflection) => !reached.has(reflection));
  for (const reflection of left) project.removeReflection(reflection);
  return left.map((reflection) => reflection.name);
}

/**
 * `{X}` of `@throws {X}` as a link to X: the class of that name in the reflection's own package,
 * else in @codex/core (a runtime Client inherits core's methods, and their Throws sections).
 * @param {import('typedoc').ProjectReflection} project
 */
function linkThrownClasses(project) {
  /** @type {Map<string, Map<string, import('typedoc').Reflection>>} module -> class name -> class */
  const classes = new Map();
  for (const module of modules(project)) {
    const named = new Map();
    for (const child of module.children ?? []) if (child.kindOf(ReflectionKind.Class)) named.set(child.name, child);
    classes.set(module.name, named);
  }
  /** @param {import('typedoc').Reflection} reflection */
  const moduleOf = (reflection) => {
    let at = reflection;
    while (at.parent && !at.kindOf(ReflectionKind.Module)) at = at.parent;
    return at.name;
  };
  for (const reflection of Object.values(project.reflections)) {
    for (const tag of reflection.comment?.blockTags ?? []) {
      if (tag.tag !== '@throws' || !tag.typeAnnotation) continue;
      const name = /^\{\s*([A-Za-z_$][\w$]*)\s*\}$/.exec(tag.typeAnnotation)?.[1];
      if (!name) continue; // `{A | B}` and the like stay as TypeDoc prints them
      const module = [moduleOf(reflection), CORE].find((candidate) => classes.get(candidate)?.has(name));
      delete tag.typeAnnotation;
      // Not found: a bare name, which fails the build (validation.invalidLink) rather than a dead link.
      const text = module ? `${module}!${name} | ${name}` : name;
      tag.content.unshift({ kind: 'inline-tag', tag: '@link', text }, { kind: 'text', text: ' ' });
    }
  }
}

/**
 * A search field `path` for members: `Documents.list`, and for the members of a class that a
 * Client property holds, the way they are called: `client.documents.list`.
 * @param {IndexEvent} event
 */
function indexDottedNames(event) {
  /** @type {Map<import('typedoc').Reflection, string[]>} class -> `client.<property>` */
  const held = new Map();
  for (const reflection of event.searchResults) {
    if (reflection.name !== 'Client' || !reflection.kindOf(ReflectionKind.Class)) continue;
    for (const property of /** @type {DeclarationReflection} */ (reflection).children ?? []) {
      const target =
        property.kindOf(ReflectionKind.Property) && property.type?.type === 'reference' && property.type.reflection;
      if (target) held.set(target, [...(held.get(target) ?? []), `client.${property.name}`]);
    }
  }
  event.searchFieldWeights.path = 10;
  event.searchResults.forEach((reflection, i) => {
    const parent = reflection.parent;
    if (!parent || parent.isProject() || parent.kindOf(ReflectionKind.SomeModule)) return;
    const paths = [
      `${parent.name}.${reflection.name}`,
      ...(held.get(parent) ?? []).map((at) => `${at}.${reflection.name}`),
    ];
    event.searchFields[i] = { ...event.searchFields[i], path: [...new Set(paths)].join(' ') };
  });
}
