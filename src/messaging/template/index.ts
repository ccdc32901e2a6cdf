// Message templates in the Mindbox/Quokka language: `${expr}` prints, `@{if}`/`@{for}`/`@{set}` control,
// `@{* … *}` comments. A template is compiled once (syntax, parameter paths and functions are checked
// against a schema, so a typo is refused when the template is saved) and rendered many times; rendering
// never throws, whatever the data: a missing value prints as an empty string.
//
// lexer → parser → checker (with the standard functions) → renderer; dates.ts says what a date value is.

export { compileTemplate, RECIPIENT_PARAMETERS, recipientParameters, type ParameterSchema, type ParameterType, type TemplateCustomField } from './checker.ts';
export { renderTemplate } from './renderer.ts';
export { TemplateError, type CompiledTemplate } from './syntax.ts';
