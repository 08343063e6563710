from scenariokit.cli import main

main(prog_name="scenarios")
