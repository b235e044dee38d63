// Privacy notice: static text in both languages; only the language switch runs here.

import { initPage, setPageState } from './page.js';

initPage();
setPageState('ready');
