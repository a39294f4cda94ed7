// Chart.js, registered once with only the parts the app uses (tree-shaken bundle).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js'

let registered = false

/** registerCharts registers the controllers, elements, scales and plugins the app uses. */
export function registerCharts(): void {
  if (registered) return
  registered = true
  Chart.register(
    BarController,
    BarElement,
    CategoryScale,
    Filler,
    Legend,
    LinearScale,
    LineController,
    LineElement,
    LogarithmicScale,
    PointElement,
    ScatterController,
    Tooltip,
  )
  // Live charts redraw a few times a second: animation would only blur them and cost frames.
  Chart.defaults.animation = false
  Chart.defaults.responsive = true
  Chart.defaults.maintainAspectRatio = false
  Chart.defaults.font.size = 11
}

export { Chart }
