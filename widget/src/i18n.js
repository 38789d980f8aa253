/* i18n.js: plural forms per language (Intl.PluralRules picks the catalogue's form). The
   catalogues' strings themselves arrive with the thread (data-strings). */
const plural = (forms, lang, n) => (forms[new Intl.PluralRules(lang).select(n)] || forms.other).replace("{n}", n);
