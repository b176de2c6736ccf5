import {config} from 'zod/mini'
import en from 'zod/v4/locales/en.js'

// claw-mesh parses with zod/mini, whose schemas are plain data (the classic API gives every schema instance its own
// ~50 methods, and building the state schemas was the largest single cost of a command's start-up). zod/mini loads
// no locale, so every issue would read "Invalid input": the English messages ("expected string, received number")
// are the ones claw-mesh's errors quote. Imported for this effect by each module that parses with zod/mini; only
// this locale (`z.locales` would load all forty), and `zod/mini` only by name (`import * as z`, never passed on as
// a value: a namespace object made as a value would load every module it names).
config(en())
