// renderer — the Vue 3 app. Uses shared/, vue, pinia and chart.js only; talks to the lab engine
// through renderer/src/api (window.raftlab in the app, a WebSocket in browser mode).
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import './styles.css'

createApp(App).use(createPinia()).mount('#app')
