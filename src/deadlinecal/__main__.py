from deadlinecal.cli import main

main()
