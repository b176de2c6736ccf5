' claw-mesh watchdog: runs `claw-mesh watchdog run` with no console window (Task Scheduler starts it with wscript).
Set shell = CreateObject("WScript.Shell")
{{#pathFirst}}
shell.Environment("Process")("PATH") = {{pathFirst}} & ";" & shell.Environment("Process")("PATH")
{{/pathFirst}}
WScript.Quit shell.Run({{launch}}, 0, True)
